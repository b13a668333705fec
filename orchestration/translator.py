"""How dbt resources appear as Dagster assets.

* The dbt source `ogi.<table>` is the Parquet table ingest writes, so it maps onto the ingest
  asset of that table: dbt models hang below ingest in one lineage graph.
* Models are grouped by layer, the directory under models/ (staging, intermediate, marts ...);
  a model directly in models/ goes to group "warehouse".
* dbt tests are asset checks, including tests declared on the sources (they check the Parquet
  tables ingest wrote).
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.ingest_assets import table_asset_key

INGEST_SOURCE = "ogi"
DEFAULT_GROUP = "warehouse"


class WarehouseTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_source_tests_as_checks=True
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if (
            dbt_resource_props["resource_type"] == "source"
            and dbt_resource_props["source_name"] == INGEST_SOURCE
        ):
            return table_asset_key(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else DEFAULT_GROUP
