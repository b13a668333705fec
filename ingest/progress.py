"""A progress bar for long fetches (tqdm, on stderr): sources done of sources found so far,
with the failures counted as they happen. The total grows while listings reveal reports and
articles reveal attachments."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm

from ingest.archive import Retrieval


class BarProgress:
    """An `ingest.collect.Progress` drawn with tqdm. `enabled` None: only on a terminal."""

    def __init__(self, enabled: bool | None = None, file: TextIO | None = None) -> None:
        out = file or sys.stderr
        disable = not out.isatty() if enabled is None else not enabled
        self.failures = 0
        self.bar = tqdm(
            total=0,
            unit="src",
            desc="fetch",
            file=out,
            disable=disable,
            dynamic_ncols=True,
            mininterval=0.25,
        )

    def queued(self, n: int) -> None:
        self.bar.total += n
        self.bar.refresh()

    def done(self, got: Retrieval) -> None:
        if not got.ok:
            self.failures += 1
            self.bar.set_postfix(failed=self.failures, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> BarProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
