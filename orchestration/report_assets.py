"""What users open after a build, as assets below the dbt marts (group "outputs").

* `quality_report`: the static page of `ingest.quality_report` (warehouse/report.html), with
  its path and a markdown summary as metadata.
* `mart_exports`: every mart as Parquet (CSV with the run config `csv: true`) and the data
  dictionary, from `ingest.exports` (warehouse/exports/).

Both read the DuckDB file read-only once dbt has built it; neither writes to it.
"""

import dagster as dg

from ingest import paths
from ingest.exports import export_marts
from ingest.quality_report import summary_markdown, write_report
from orchestration.resources import WarehouseResource
from orchestration.warehouse_assets import warehouse_dbt_assets

GROUP = "outputs"
MARTS_GROUP = "marts"

# The dbt models of models/marts (the translator groups models by directory).
MART_KEYS = sorted(
    (spec.key for spec in warehouse_dbt_assets.specs if spec.group_name == MARTS_GROUP),
    key=lambda key: key.to_user_string(),
)


@dg.asset(group_name=GROUP, deps=MART_KEYS, kinds={"html"})
def quality_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The quality report: reports by status, identity pass rates, dispositions, reviews and
    litigation, the largest reconciliation differences with links to the sources."""
    page, data = write_report(warehouse.duckdb_file(), paths.report_path())
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(page)),
            "summary": dg.MetadataValue.md(summary_markdown(data, page)),
            "reports": data.n_reports,
            "quarantined": len(data.quarantine),
        }
    )


class ExportConfig(dg.Config):
    csv: bool = False  # also write every mart as CSV


@dg.asset(group_name=GROUP, deps=MART_KEYS, kinds={"parquet"})
def mart_exports(config: ExportConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every mart as Parquet (and CSV on request) with a data dictionary from the dbt YAML."""
    exports = export_marts(warehouse.duckdb_file(), paths.exports_dir(), csv=config.csv)
    table = "\n".join(
        ["| table | rows | file |", "|---|---|---|"]
        + [f"| {t.table} | {t.rows} | {t.parquet.name} |" for t in exports.tables]
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(exports.directory)),
            "data_dictionary": dg.MetadataValue.path(str(exports.dictionary)),
            "tables": dg.MetadataValue.md(table),
            "files": len(exports.files()),
        }
    )
