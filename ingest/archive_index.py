"""The archive index: for each year partition, the reports its last ingest archived.

One file per partition, `<index_dir>/<partition>.pickle`, holding the `ArchivedReport` records
of that partition's catalog entries as the raw stage left them (where each report's bytes are
in the raw archive, or why none could be read). Parsing reads it, so the reports of a
partition can be parsed again (after a parser upgrade) from the archive alone, without reading
any source. A file is replaced whole and atomically each time its partition is ingested.
"""

from __future__ import annotations

import pickle
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from ingest.archive import ArchivedReport
from ingest.files import write_atomically
from ingest.partitions import partition_of


class IndexMissing(LookupError):
    """A partition has no readable archive index: its reports were never archived."""

    def __init__(self, partitions: Sequence[str], index_dir: Path) -> None:
        self.partitions = tuple(partitions)
        super().__init__(
            f"no archive index for partition(s) {', '.join(self.partitions)} in {index_dir}: "
            "their reports have not been archived yet (ingest those years first)"
        )


def index_path(index_dir: Path, partition: str) -> Path:
    return index_dir / f"{partition}.pickle"


def split_by_partition(
    archived: Iterable[ArchivedReport], partitions: Collection[str], keys: Collection[str]
) -> dict[str, list[ArchivedReport]]:
    """The records of each of `partitions` (an empty list for one without entries). Raises
    ValueError for a record of a partition not in `partitions`."""
    split: dict[str, list[ArchivedReport]] = {p: [] for p in partitions}
    for report in archived:
        key = partition_of(report.entry.year, keys)
        if key not in split:
            raise ValueError(f"{report.entry.source}: partition {key} is not being written")
        split[key].append(report)
    return split


def write_index(
    index_dir: Path,
    archived: Iterable[ArchivedReport],
    partitions: Collection[str],
    keys: Collection[str],
    retired: Iterable[str] = (),
) -> dict[str, Path]:
    """Replace the index of each of `partitions` with its records from `archived`, and the
    report ids the batch retired (listing rows that now read well: they have no rows)."""
    written = {}
    retired = tuple(retired)
    for partition, records in split_by_partition(archived, partitions, keys).items():
        path = index_path(index_dir, partition)
        data = pickle.dumps(
            {"reports": records, "retired": retired}, protocol=pickle.HIGHEST_PROTOCOL
        )
        write_atomically(path, lambda tmp, data=data: tmp.write_bytes(data))
        written[partition] = path
    return written


def read_batch(
    index_dir: Path, partitions: Iterable[str]
) -> tuple[list[ArchivedReport], tuple[str, ...]]:
    """The records of `partitions`, in the order given, and the ids they retired. Raises
    IndexMissing naming every partition whose index is missing or unreadable."""
    records: list[ArchivedReport] = []
    retired: dict[str, None] = {}
    missing: list[str] = []
    for partition in partitions:
        try:
            loaded = pickle.loads(index_path(index_dir, partition).read_bytes())
            reports, ids = loaded["reports"], loaded["retired"]
        except (OSError, pickle.UnpicklingError, AttributeError, EOFError, ImportError):
            missing.append(partition)
            continue
        except (KeyError, TypeError):  # written by an earlier version: archive again
            missing.append(partition)
            continue
        records.extend(reports)
        retired.update(dict.fromkeys(ids))
    if missing:
        raise IndexMissing(missing, index_dir)
    return records, tuple(retired)


def read_index(index_dir: Path, partitions: Iterable[str]) -> list[ArchivedReport]:
    """The records of `partitions`, in the order given (see `read_batch`)."""
    return read_batch(index_dir, partitions)[0]
