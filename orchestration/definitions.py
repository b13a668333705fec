"""Everything Dagster loads: `dagster dev -m orchestration.definitions`.

Lineage: catalog -> raw_reports -> reports, cells, checks, issues, codes (group "ingest",
partitioned by report year) -> the dbt models (grouped by layer, not partitioned: built from
every year), with every dbt test as an asset check, plus the checks of orchestration.checks.

Jobs (orchestration.jobs): `main` (everything; `python -m orchestration.run` executes it over
all years), `refresh_year`, `rebuild_from_archive`. Schedules and the catalog sensor
(orchestration.automation) are off by default. The dbt build and the check reading the DuckDB
file share the pool `duckdb`: one at a time across runs.
"""

import dagster as dg

from orchestration.automation import SCHEDULES, SENSORS
from orchestration.checks import INGEST_CHECKS, WAREHOUSE_CHECKS
from orchestration.ingest_assets import ARCHIVE_INDEX, catalog, parsed_tables, raw_reports
from orchestration.jobs import JOBS, main_job
from orchestration.project import dbt_resource
from orchestration.report_assets import mart_exports, quality_report
from orchestration.resources import ArchiveIndexIOManager, WarehouseResource
from orchestration.warehouse_assets import dbt_project, warehouse_dbt_assets

__all__ = ["defs", "main_job"]

defs = dg.Definitions(
    assets=[
        catalog,
        raw_reports,
        parsed_tables,
        warehouse_dbt_assets,
        quality_report,
        mart_exports,
    ],
    asset_checks=[*INGEST_CHECKS, *WAREHOUSE_CHECKS],
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={
        "warehouse": WarehouseResource(),
        "dbt": dbt_resource(dbt_project),
        ARCHIVE_INDEX: ArchiveIndexIOManager(),
    },
)
