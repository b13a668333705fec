"""Everything Dagster loads: `dagster dev -m orchestration.definitions`.

Lineage: catalog -> raw_reports -> reports, cells, checks, issues, codes (group "ingest")
-> the dbt models (grouped by layer), with every dbt test as an asset check. The job `main`
materializes all of it; `python -m orchestration.run` executes it.
"""

import dagster as dg

from orchestration.ingest_assets import catalog, parsed_tables, raw_reports
from orchestration.project import dbt_resource
from orchestration.report_assets import mart_exports, quality_report
from orchestration.resources import WarehouseResource
from orchestration.warehouse_assets import dbt_project, warehouse_dbt_assets

main_job = dg.define_asset_job(
    "main",
    selection=dg.AssetSelection.all(),
    description="Ingest the catalog, then build and test the warehouse.",
)

defs = dg.Definitions(
    assets=[
        catalog,
        raw_reports,
        parsed_tables,
        warehouse_dbt_assets,
        quality_report,
        mart_exports,
    ],
    jobs=[main_job],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource(dbt_project)},
)
