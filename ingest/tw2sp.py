"""OpenCC `tw2sp` (Taiwan traditional to mainland simplified, with phrases), fast.

The same conversion as `opencc.OpenCC("tw2sp").convert` of opencc-python-reimplemented (the
pinned version), on that package's own dictionaries: its algorithm, with less work to find the
same keys. That package converts a string one dictionary group at a time. Within a group it
takes, with each dictionary in turn, the longest key found anywhere in the string (the leftmost
of equals), and converts what lies left and right of it the same way, from the dictionary that
matched. It finds that key by trying every length at every position. Here:

* a set of the keys' prefixes ends the search at a position as soon as no key can start there,
  which is at once for most characters;
* the search in a dictionary ends at the first key as long as any key it can hold;
* the last dictionary of each group has keys of one character: what reaches it is converted
  character by character whatever the order, which `str.translate` does in one pass.

`tests/test_tw2sp.py` checks this against the package on every key of its dictionaries, on
strings built from them and on random text.
"""

from __future__ import annotations

from functools import cache

# (key -> its first value, every prefix of a key (keys included), the longest key's length)
Dictionary = tuple[dict, frozenset, int]
# the dictionaries searched for keys, and the last one as a translation table when its keys
# are single characters (else None)
Group = tuple[tuple[Dictionary, ...], dict | None]

_ANY = 1 << 30  # no bound on the length of a key


@cache
def opencc_tw2sp():
    """The package's converter (its dictionaries, its separators; the reference in tests)."""
    import opencc

    return opencc.OpenCC("tw2sp")


@cache
def _groups() -> tuple[Group, ...]:
    """The package's chain of dictionary groups, in order. Where a key has several values,
    the package takes the first."""
    converter = opencc_tw2sp()
    converter.convert("")  # loads the dictionaries
    groups = []
    for group in converter._dict_chain_data:
        tables = [
            {key: value.split(" ")[0] for key, value in mapping.items()}
            for _max_len, _min_len, mapping in group
        ]
        chars = None
        if tables and all(len(key) == 1 for key in tables[-1]):
            chars = {ord(key): value for key, value in tables.pop().items()}
        dictionaries = tuple(
            (
                table,
                frozenset(key[:n] for key in table for n in range(1, len(key) + 1)),
                max(map(len, table), default=0),
            )
            for table in tables
        )
        groups.append((dictionaries, chars))
    return tuple(groups)


def _longest_key(
    text: str, start: int, end: int, dictionary: Dictionary, bound: int
) -> tuple[int, int]:
    """(position, length) of the longest key of `dictionary` in text[start:end], the leftmost
    of equals; length 0 when there is none. No key there is longer than `bound`: the search
    ends at the first key that long."""
    table, prefixes, longest = dictionary
    bound = min(bound, longest)
    best, at = 0, start
    for i in range(start, end):
        length = 1
        while i + length <= end:
            part = text[i : i + length]
            if part not in prefixes:
                break
            if length > best and part in table:
                best, at = length, i
            length += 1
        if best == bound:  # none further on can be longer
            break
    return at, best


def _first_key(
    text: str, start: int, end: int, dictionaries: tuple[Dictionary, ...], first: int, bound: int
) -> tuple[int, int, int] | None:
    """(dictionary, position, length) of the key taken in text[start:end]: the longest of the
    first dictionary from `first` on that has one (`bound` holds for `first` only)."""
    for k in range(first, len(dictionaries)):
        at, length = _longest_key(text, start, end, dictionaries[k], bound if k == first else _ANY)
        if length:
            return k, at, length
    return None


def _in_group(
    text: str, start: int, end: int, group: Group, first: int, bound: int, out: list[str]
) -> None:
    """text[start:end] converted by the dictionaries of one group from `first` on, appended
    to `out`. After a key is taken, what lies left and right of it is converted the same way,
    from the same dictionary: left by recursion (the depth is bounded, as its keys are shorter
    or of a later dictionary), right by the loop. Neither side holds a key of that dictionary
    longer than the one taken (`bound`: the package's length hint). What no dictionary before
    the last has a key in goes to the last."""
    dictionaries, chars = group
    while start < end:
        found = _first_key(text, start, end, dictionaries, first, bound)
        if found is None:
            break
        first, at, length = found
        _in_group(text, start, at, group, first, length, out)
        out.append(dictionaries[first][0][text[at : at + length]])
        start, bound = at + length, length
    rest = text[start:end]
    out.append(rest.translate(chars) if chars else rest)


def convert_segment(text: str) -> str:
    """One segment of text with no sentence separator in it, converted."""
    for group in _groups():
        out: list[str] = []
        _in_group(text, 0, len(text), group, 0, _ANY, out)
        text = "".join(out)
    return text


def convert(text: str) -> str:
    """`text` converted, as `opencc.OpenCC("tw2sp").convert(text)`: the package splits it at
    its sentence separators first, and converts each segment on its own."""
    parts = opencc_tw2sp().split_chars_re.split(text)
    parts[::2] = [convert_segment(p) for p in parts[::2]]
    return "".join(parts)
