"""The `ogi` command line: one entry point for every command of the project.

Each command is a module's `main(argv)`; `ogi --help` lists them with an example each. An error
is one line with a hint (exit status 1); `ogi --debug COMMAND ...` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    target: str  # "module:function" taking argv and returning an exit status
    summary: str
    example: str


def _run_orchestration(argv: Sequence[str]) -> int:
    # the orchestration lives in its own process: this library never imports dagster
    return subprocess.call([sys.executable, "-m", "orchestration.run", *argv])


COMMANDS: tuple[Command, ...] = (
    Command("parse", "ingest.parse:main", "parse reports to JSON lines", "ogi parse a.html --json"),
    Command(
        "check",
        "ingest.report_check:main",
        "one report's tables, identities and issues",
        "ogi check https://example.gov.cn/xxgknb/2023.html",
    ),
    Command(
        "run",
        "ingest.cli:_run_orchestration",
        "build the warehouse (all Dagster assets, dbt with its tests)",
        "ogi run --catalog my_reports.csv",
    ),
    Command(
        "fetch",
        "ingest.collect:main",
        "fetch a catalog's reports into the raw archive",
        "ogi fetch my_reports.csv",
    ),
    Command(
        "report",
        "ingest.quality_report:main",
        "write the quality report page of a built warehouse",
        "ogi report --out warehouse/report.html",
    ),
    Command(
        "export",
        "ingest.exports:main",
        "write every mart as Parquet (and CSV) with a data dictionary",
        "ogi export --csv",
    ),
    Command(
        "bench",
        "ingest.bench:main",
        "time every stage of a build on N synthetic reports (JSON figures)",
        "ogi bench --reports 10000",
    ),
    Command(
        "bench-fetch",
        "ingest.bench_fetch:main",
        "pages/s and peak memory of fetching from a local portal",
        "ogi bench-fetch --pages 2000 10000",
    ),
)

HINTS: dict[type[BaseException], str] = {
    FileNotFoundError: "check the path; relative paths are taken from the current directory",
    PermissionError: "check the file permissions",
    UnicodeDecodeError: "the file is not in the expected encoding",
    ValueError: "check the command's arguments (ogi COMMAND --help)",
    OSError: "check the path and the disk",
}


def _load(target: str) -> Callable[[Sequence[str]], int]:
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def _parser() -> argparse.ArgumentParser:
    width = max(len(c.name) for c in COMMANDS)
    lines = [
        f"  {c.name:<{width}}  {c.summary}\n  {'':<{width}}    e.g. {c.example}" for c in COMMANDS
    ]
    ap = argparse.ArgumentParser(
        prog="ogi",
        usage="ogi [--debug] COMMAND [ARGS...]",
        description="Government-information-disclosure annual reports to a checked warehouse.",
        epilog="commands:\n"
        + "\n".join(lines)
        + "\n\n`ogi COMMAND --help` shows a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--debug", action="store_true", help="show tracebacks instead of one-line errors"
    )
    return ap


def hint_for(exc: BaseException) -> str:
    for kind in type(exc).__mro__:
        if kind in HINTS:
            return HINTS[kind]
    return "run again with --debug for the traceback"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = _parser()
    debug = os.environ.get("OGI_DEBUG", "") == "1"
    while argv and argv[0] == "--debug":
        debug, argv = True, argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        ap.print_help()
        return 0
    by_name = {c.name: c for c in COMMANDS}
    name, rest = argv[0], argv[1:]
    if name not in by_name:
        known = ", ".join(by_name)
        print(f"ogi: error: unknown command {name!r}\nhint: one of {known}", file=sys.stderr)
        return 2
    try:
        return _load(by_name[name].target)(rest)
    except KeyboardInterrupt:
        print("ogi: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"ogi {name}: error: {message}\nhint: {hint_for(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
