"""The year partitions of the ingest assets (the mapping of reports to years: ingest.partitions).

`report_years` is fixed when the definitions load: 2019 .. the current year, then `other`. A
run may cover one partition (job `refresh_year`, the schedules, the sensor) or a range of them
in one run (`make run`, a backfill: the ingest assets have a single-run backfill policy, so
their reports are processed in batches inside one run, never one run per partition or report).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import dagster as dg

from ingest.partitions import partition_keys

# The single-run backfill policy is marked beta; it is what keeps a backfill one run.
warnings.filterwarnings("ignore", message=".*`backfill_policy`.*", category=dg.BetaWarning)

report_years = dg.StaticPartitionsDefinition(list(partition_keys()))
KEYS: tuple[str, ...] = tuple(report_years.get_partition_keys())

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(keys: Sequence[str] = KEYS) -> dict[str, str]:
    """Run tags covering the partitions from keys[0] to keys[-1] (all of them by default)."""
    return {RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]}


def ordered(keys: Sequence[str]) -> list[str]:
    """`keys` in partition order (a run's partition keys may come in any order)."""
    chosen = set(keys)
    return [k for k in KEYS if k in chosen]
