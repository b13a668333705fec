"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ingest.faults import crash_point


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Write `path` through `write(temporary_path)`, then move the result into place: readers
    see the old file or the new one, never a partial one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        if path.suffix == ".parquet":
            crash_point("parquet")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
