"""The fast tw2sp conversion gives exactly what opencc-python-reimplemented gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import tw2sp
from ingest.tw2sp import opencc_tw2sp


def _keys() -> list[str]:
    keys = set()
    for dictionaries, chars in tw2sp._groups():
        keys |= {key for table, _, _ in dictionaries for key in table}
        keys |= {chr(code) for code in chars or ()}
    return sorted(keys)


KEYS = _keys()
# what the keys are made of, what sits between them in real text, and the package's separators
CHARS = sorted(
    {ch for key in KEYS for ch in key} | set("政府信息公开年度报告的市局区 ，。、12ab-.")
)


def test_every_key_of_the_dictionaries() -> None:
    reference = opencc_tw2sp()
    assert len(KEYS) > 4000
    assert [tw2sp.convert(k) for k in KEYS] == [reference.convert(k) for k in KEYS]


_PART = st.one_of(
    st.sampled_from(KEYS),
    st.sampled_from(KEYS).map(lambda k: k[: len(k) // 2 + 1]),  # a key cut short
    st.sampled_from(CHARS),
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PART, max_size=12))
def test_text_made_of_keys_and_pieces_of_keys(parts: list[str]) -> None:
    text = "".join(parts)
    assert tw2sp.convert(text) == opencc_tw2sp().convert(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text(text: str) -> None:
    assert tw2sp.convert(text) == opencc_tw2sp().convert(text)


def test_long_runs_of_keys() -> None:
    # the loop takes what lies right of a key (no recursion as deep as the text is long)
    for text in ("體" * 3000 + "資訊" * 2000 + "a", "資訊" * 2000 + "體" * 3000, "後臺" * 3000):
        assert tw2sp.convert(text) == opencc_tw2sp().convert(text)
