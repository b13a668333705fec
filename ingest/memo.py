"""Memoizing the reading of short strings.

Cells, labels and the lines of a page repeat from report to report (labels, small numbers,
blanks, menu items): what is read from one is read once per process. Long strings (sentences
of the narrative) rarely repeat and would only fill the memo, so they are read every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING: Any = object()
_MEMOS: list[dict] = []  # the memo of every function memoized here


def forget(modules: Iterable[ModuleType]) -> None:
    """Empty the memos of reading strings: those made here, and the `functools.lru_cache`s of
    bounded size found in `modules` (those of unbounded size hold what is made once per
    process: tables, patterns). Everything is read again as it comes."""
    for known in _MEMOS:
        known.clear()
    for module in modules:
        for value in list(vars(module).values()):
            parameters = getattr(value, "cache_parameters", None)
            if callable(parameters) and parameters().get("maxsize") is not None:
                value.cache_clear()


def memoized_when_short(
    limit: int, maxsize: int = 1 << 16
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a function of a string (and further hashable arguments): calls whose string
    has at most `limit` characters are memoized, longer ones are not. The memo holds at most
    `maxsize` entries and starts afresh when full. It is the wrapper's `known` dict, keyed by
    the string alone, or by the tuple of all arguments when there are more: a loop over
    hundreds of cells looks there first, without a call per cell."""

    def decorate(read: Callable[..., T]) -> Callable[..., T]:
        known: dict = {}
        _MEMOS.append(known)

        @wraps(read)
        def call(text: str, *args) -> T:
            key = (text, *args) if args else text
            value = known.get(key, _MISSING)
            if value is _MISSING:
                value = read(text, *args)
                if len(text) <= limit:
                    if len(known) >= maxsize:
                        known.clear()
                    known[key] = value
            return value

        call.known = known  # type: ignore[attr-defined]
        return call

    return decorate
