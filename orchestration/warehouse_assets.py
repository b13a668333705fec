"""The dbt project as assets: `dbt build` over the Parquet tables ingest wrote.

One `@dbt_assets` definition covers every model; its dbt tests are asset checks. dbt runs as a
subprocess and reads its locations (OGI_PARQUET_DIR, OGI_DUCKDB_PATH) from the environment,
which is set from the warehouse resource for the duration of the build. Once dbt has exited and
released the DuckDB file, each table it built gets its row count.

dbt writes the build file (ingest.publish), never the published warehouse/ogi.duckdb: when the
build succeeds (warn-severity tests may fail, they do not block), the build file replaces the
published one in a single rename; when a model or an error-severity test fails, the step fails
and the published file stays as it was. Everything downstream (the quarantine check, the
quality report, the exports, the run summary) reads the published file, after publishing.

The dbt assets are not partitioned: every build reads all partitions of the ingest tables. The
build runs in the pool DUCKDB_POOL, so runs started together (a backfill, the schedules, the
sensor, `make run`) write the DuckDB file one after the other.
"""

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets

from ingest import publish
from ingest.faults import crash_point
from orchestration.project import environment, load_project
from orchestration.resources import DUCKDB_POOL, WarehouseResource
from orchestration.translator import WarehouseTranslator

dbt_project = load_project()


def _relation(node: dict[str, Any]) -> str | None:
    """`schema.alias` of a model dbt materialised as a table (views are not counted)."""
    if node.get("resource_type") != "model" or node["config"].get("materialized") == "view":
        return None
    return f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'


def row_counts(duckdb_path: Path, relations: Iterable[str]) -> dict[str, int]:
    """Rows of each relation, read from the DuckDB file opened read-only."""
    relations = sorted(set(relations))
    if not relations or not duckdb_path.exists():
        return {}
    counts: dict[str, int] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for relation in relations:
            try:
                counts[relation] = con.execute(f"select count(*) from {relation}").fetchone()[0]
            except duckdb.Error:
                continue
    return counts


def _unique_id(event: Any) -> str | None:
    value = (getattr(event, "metadata", None) or {}).get("unique_id")
    return getattr(value, "value", value)


def with_row_counts(events: list, manifest: Mapping[str, Any], duckdb_path: Path) -> Iterator:
    """The events of a finished dbt build, each table's materialization with its row count."""
    nodes = manifest.get("nodes", {})
    relations = {
        uid: relation
        for uid in filter(None, map(_unique_id, events))
        if (relation := _relation(nodes.get(uid, {})))
    }
    counts = row_counts(duckdb_path, relations.values())
    for event in events:
        relation = relations.get(_unique_id(event) or "")
        if isinstance(event, dg.Output | dg.AssetMaterialization) and relation in counts:
            event = event.with_metadata(
                {**event.metadata, "dagster/row_count": dg.MetadataValue.int(counts[relation])}
            )
        yield event


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    pool=DUCKDB_POOL,
)
def warehouse_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Build (run and test) every selected dbt model against the Parquet tables, into the
    build file; publish it over the DuckDB file readers open once the build succeeded."""
    events: list = []
    failure: Exception | None = None
    build = publish.prepare_build(warehouse.duckdb_file())
    with environment(warehouse.dbt_env()):
        invocation = dbt.cli(["build"], context=context)
        try:
            events.extend(invocation.stream())
        except Exception as exc:  # re-raised below, after the events that did happen
            failure = exc
    if failure is None:
        crash_point("dbt")
        built = publish.publish(build, warehouse.duckdb_file())
        context.log.info(f"published {built}")
    else:
        built = build
        context.log.error(f"build failed: {warehouse.duckdb_file()} left as it was")
    yield from with_row_counts(events, invocation.manifest, built)
    if failure is not None:
        publish.discard(build)
        raise failure
