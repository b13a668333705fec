"""`python -m orchestration.run [--catalog FILE] [--fresh]`: the whole pipeline, once.

Executes the job `main` (ingest, then dbt build with its tests) in this process against the
persistent Dagster instance in DAGSTER_HOME (default warehouse/dagster_home), so the run shows
in the UI of `dagster dev`. Then prints what the warehouse holds, read from the DuckDB file, and
where the quality report and the exports were written.
Exits 1 when the run failed. Running it again gives the same tables: reports are replaced by
their id, never appended.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from ingest import paths
from orchestration.summary import format_outputs, format_summary, read_summary

# Keep run history local: no usage statistics leave the machine.
DAGSTER_YAML = "telemetry:\n  enabled: false\n"


def prepare_dagster_home() -> Path:
    """Point DAGSTER_HOME at an absolute, existing directory (with a dagster.yaml)."""
    home = paths.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_config(catalog: str | None, fresh: bool, log_level: str = "INFO") -> dict:
    """Run config of the job: the warehouse resource's catalog and mode, the console log level."""
    config: dict[str, object] = {"fresh": fresh}
    if catalog:
        config["catalog"] = str(Path(catalog).expanduser().absolute())
    return {
        "resources": {"warehouse": {"config": config}},
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.run",
        description="Ingest a catalog of reports, build and test the warehouse, print a summary.",
    )
    parser.add_argument("--catalog", help="catalog CSV (default: $OGI_CATALOG or the sample)")
    parser.add_argument(
        "--fresh", action="store_true", help="drop reports of earlier runs from the tables"
    )
    args = parser.parse_args(argv)
    if args.catalog and not Path(args.catalog).is_file():
        parser.error(f"no catalog file at {args.catalog}")

    prepare_dagster_home()
    # Loading the definitions builds the dbt manifest if needed: only once arguments are valid.
    import dagster as dg

    from orchestration.definitions import defs

    job = defs.resolve_job_def("main")
    started = time.time()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            run_config=run_config(args.catalog, args.fresh),
            instance=instance,
            raise_on_error=False,
        )
    try:
        print(format_summary(read_summary(paths.duckdb_path())))
    except duckdb.Error as exc:  # e.g. the file is locked by another process
        print(f"warehouse summary unavailable: {exc}")
    print(format_outputs(paths.report_path(), paths.exports_dir(), since=started))
    print(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
