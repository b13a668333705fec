"""The jobs: everything, one year, and the rebuild from the archive.

* `main`: every asset over every year partition in one run (`make run` launches it with the
  full partition range; in the UI, choose the partitions to launch it over).
* `refresh_year`: one year partition: read the catalog, fetch and archive that year's reports,
  parse them (replacing that year's rows), then rebuild and test the warehouse from all years.
  The schedules and the catalog sensor launch it.
* `rebuild_from_archive`: re-parse the archived reports of the chosen years (all of them after
  a parser upgrade) and rebuild the warehouse, without reading the catalog or any source: the
  reports are those the last ingest of each year archived (the archive index).
"""

from __future__ import annotations

import dagster as dg

from ingest.schema import TABLES
from orchestration.ingest_assets import REBUILD_JOB, table_asset_key

main_job = dg.define_asset_job(
    "main",
    selection=dg.AssetSelection.all(),
    description="Ingest the catalog, then build and test the warehouse.",
)

refresh_year_job = dg.define_asset_job(
    "refresh_year",
    selection=dg.AssetSelection.all(),
    description="Fetch, archive and parse one year's reports (replacing that year's rows), then "
    "rebuild and test the warehouse from every year.",
)

rebuild_from_archive_job = dg.define_asset_job(
    REBUILD_JOB,
    selection=dg.AssetSelection.assets(*(table_asset_key(t) for t in TABLES)).downstream(),
    description="Re-parse the archived reports of the chosen years without fetching anything "
    "(after a parser upgrade: launch it over all partitions), then rebuild and test the "
    "warehouse.",
)

JOBS = [main_job, refresh_year_job, rebuild_from_archive_job]
