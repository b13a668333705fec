"""`python -m orchestration.run [--catalog FILE] [--fresh] [--year YEAR | --from-archive]`.

Executes a job in this process against the persistent Dagster instance in DAGSTER_HOME
(default warehouse/dagster_home), so the run shows in the UI of `dagster dev`:

* by default the job `main` over every year partition (ingest, then dbt build with its tests);
* `--year 2023` the job `refresh_year` for that year alone;
* `--from-archive` the job `rebuild_from_archive` over every year: re-parse what is archived,
  read no catalog and no source.

The Dagster and dbt logs go to warehouse/logs/run.log (`--verbose` shows them here too); the
terminal gets what the warehouse holds (read from the DuckDB file), the failures and the
checks that warn, and where the quality report and the exports were written. Exits 1 when the run failed. Running it again gives the same tables: reports
are replaced by their id and year, never appended.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest import paths
from ingest.partitions import partition_keys
from orchestration.summary import format_outputs, format_summary, read_summary

DAGSTER_YAML = """\
# Keep run history local: no usage statistics leave the machine.
telemetry:
  enabled: false
# No sign-up dialog over the UI.
nux:
  enabled: false
# One op at a time in each pool, across runs: the pool `duckdb` holds the ops that open the
# DuckDB file (the dbt build, the quarantine check), so only one run writes it at a time.
concurrency:
  pools:
    granularity: op
    default_limit: 1
"""
# What earlier versions wrote: replaced by DAGSTER_YAML (any other content is left alone).
EARLIER_DAGSTER_YAML = ("telemetry:\n  enabled: false\n",)

# Failures and check results shown on the terminal, at most.
SHOWN = 20


def prepare_dagster_home() -> Path:
    """Point DAGSTER_HOME at an absolute, existing directory with a dagster.yaml."""
    home = paths.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") in EARLIER_DAGSTER_YAML:
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def log_path() -> Path:
    return paths.warehouse_dir() / "logs" / "run.log"


def run_config(catalog: str | None, fresh: bool, log_level: str = "INFO") -> dict:
    """Run config of the job: the warehouse resource's catalog and mode, the console log level."""
    config: dict[str, object] = {"fresh": fresh}
    if catalog:
        config["catalog"] = str(Path(catalog).expanduser().absolute())
    return {
        "resources": {"warehouse": {"config": config}},
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


@contextmanager
def output_to(path: Path | None) -> Iterator[None]:
    """Send everything written to stdout and stderr (this process's and its subprocesses',
    such as dbt) to `path` for the duration of the block; nothing when `path` is None."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (fd, *saved):
            os.close(f)


# The tag naming the process that executes a run in process (host:pid), so a later run can tell
# that a run still marked as started was killed.
PROCESS_TAG = "ogi/process"


def process_tag() -> dict[str, str]:
    return {PROCESS_TAG: f"{socket.gethostname()}:{os.getpid()}"}


def _process_is_gone(tags: dict[str, str]) -> bool:
    """True when the run's process ran on this host and no longer exists."""
    host, _, pid = tags.get(PROCESS_TAG, "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, another user's
        return False
    return False


def free_stale_slots(instance, pool: str) -> list[str]:
    """Release the pool slots still held by runs that have ended, or whose process was killed
    while it held one (the run stays "started"): they would otherwise block every later run.
    A killed run is marked failed. Returns those runs' ids."""
    from dagster import DagsterRunStatus

    ended = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    freed = []
    for run_id in storage.get_concurrency_info(pool).active_run_ids:
        run = instance.get_run_by_id(run_id)
        killed = run is not None and run.status not in ended and _process_is_gone(run.tags)
        if run is None or run.status in ended or killed:
            if killed:
                instance.report_run_failed(run, "its process was killed")
            storage.free_concurrency_slots_for_run(run_id)
            freed.append(run_id)
    return freed


def report_lines(result) -> list[str]:
    """What went wrong in a run: failed steps with their errors, then the checks that failed
    (severity ERROR) or warn, one line each."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            while error is not None and error.cause is not None:  # the cause says what happened
                error = error.cause
            message = error.message.strip() if error else event.message
            lines.append(f"FAILED {event.step_key}: {message}")
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        label = "failed" if evaluation.severity.value == "ERROR" else "warning"
        key = evaluation.asset_check_key
        rows = evaluation.metadata.get("dagster_dbt/failed_row_count")
        text = evaluation.description or (f"{rows.value} failing row(s)" if rows else "")
        lines.append(f"{label}: {key.asset_key.to_user_string()} {key.name}: {text}".rstrip(": "))
    if len(lines) > SHOWN:
        lines = [*lines[:SHOWN], f"... and {len(lines) - SHOWN} more"]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.run",
        description="Ingest a catalog of reports, build and test the warehouse, print a summary.",
    )
    parser.add_argument("--catalog", help="catalog CSV (default: $OGI_CATALOG or the sample)")
    parser.add_argument(
        "--fresh", action="store_true", help="drop reports of earlier runs from the tables"
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--year", help="refresh this year partition only (job refresh_year)")
    what.add_argument(
        "--from-archive",
        action="store_true",
        help="re-parse the archived reports of every year, fetch nothing (job rebuild_from_archive)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show the Dagster and dbt logs here too"
    )
    args = parser.parse_args(argv)
    if args.catalog and not Path(args.catalog).is_file():
        parser.error(f"no catalog file at {args.catalog}")
    if args.fresh and (args.year or args.from_archive):
        parser.error("--fresh drops every other year: use it for a full run only")
    if args.from_archive and args.catalog:
        parser.error("--from-archive reads no catalog")
    if args.year is not None and args.year not in partition_keys():
        parser.error(f"--year {args.year} is not a partition ({', '.join(partition_keys())})")

    job_name = "refresh_year" if args.year else "main"
    job_name = "rebuild_from_archive" if args.from_archive else job_name

    prepare_dagster_home()
    log = None if args.verbose else log_path()
    if log is not None:
        print(f"logs: {log}", flush=True)
    with output_to(log):
        # Loading the definitions builds the dbt manifest if needed: only once arguments are
        # valid, and with its output in the log.
        import dagster as dg

        from orchestration.definitions import defs
        from orchestration.partitions import range_tags
        from orchestration.resources import DUCKDB_POOL

        job = defs.resolve_job_def(job_name)
        started = time.time()
        with dg.DagsterInstance.get() as instance:
            free_stale_slots(instance, DUCKDB_POOL)
            result = job.execute_in_process(
                run_config=run_config(args.catalog, args.fresh),
                instance=instance,
                partition_key=args.year,
                tags={**process_tag(), **({} if args.year else range_tags())},
                raise_on_error=False,
            )
    try:
        print(format_summary(read_summary(paths.duckdb_path())))
    except duckdb.Error as exc:  # e.g. the file is locked by another process
        print(f"warehouse summary unavailable: {exc}")
    print(format_outputs(paths.report_path(), paths.exports_dir(), since=started))
    for line in report_lines(result):
        print(line)
    print(f"run {result.run_id} ({job_name}): {'succeeded' if result.success else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
