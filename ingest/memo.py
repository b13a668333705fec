"""Memoizing the reading of short strings.

Cells, labels and the lines of a page repeat from report to report (labels, small numbers,
blanks, menu items): what is read from one is read once per process. Long strings (sentences
of the narrative) rarely repeat and would only fill the cache, so they are read every time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")


def memoized_when_short(
    limit: int, maxsize: int = 1 << 16
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a function of a string (and further hashable arguments): calls whose string
    has at most `limit` characters are memoized (a bounded LRU cache), longer ones are not."""

    def decorate(read: Callable[..., T]) -> Callable[..., T]:
        cached = lru_cache(maxsize=maxsize)(read)

        @wraps(read)
        def call(text: str, *args) -> T:
            return cached(text, *args) if len(text) <= limit else read(text, *args)

        return call

    return decorate
