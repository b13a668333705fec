"""The `ogi` command line.

ogi parse REPORT... [--json]     parse reports to JSON lines (the parse contract)
ogi check REPORT                 one report as an auditor reads it: tables, identities, issues
ogi run [--catalog FILE]         build the warehouse (all Dagster assets, dbt with its tests)
ogi fetch [CATALOG]              fetch a catalog's reports into the raw archive, with progress
ogi bench-fetch [--pages N ...]  fetch speed and memory against a local portal
ogi bench [--reports N]          the whole build on N synthetic reports, stage by stage
"""

from __future__ import annotations

import argparse
import subprocess
import sys

EXAMPLES = """examples:
  ogi parse report.html --json
  ogi check report.html
  ogi run --catalog my_reports.csv
  ogi fetch my_reports.csv
  ogi bench-fetch --pages 2000 10000
  ogi bench --reports 10000
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(
        prog="ogi",
        description="Government-information-disclosure annual reports to a checked warehouse.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "parse", help="parse reports to JSON lines (ogi parse a.html --json)", add_help=False
    )
    sub.add_parser(
        "check",
        help="show one report's tables, identities and issues (ogi check a.html)",
        add_help=False,
    )
    sub.add_parser(
        "run",
        help="build the warehouse from a catalog (ogi run --catalog list.csv)",
        add_help=False,
    )
    sub.add_parser(
        "fetch",
        help="fetch a catalog's reports into the raw archive (ogi fetch list.csv)",
        add_help=False,
    )
    sub.add_parser(
        "bench-fetch",
        help="pages/s and peak memory of fetching from a local portal (ogi bench-fetch)",
        add_help=False,
    )
    sub.add_parser(
        "bench",
        help="time archive, parse, Parquet and dbt on N synthetic reports (ogi bench --reports N)",
        add_help=False,
    )
    if not argv or argv[0] in ("-h", "--help"):
        ap.print_help()
        return 0
    command, rest = argv[0], argv[1:]
    if command == "parse":
        from ingest.parse import main as parse_main

        return parse_main(rest)
    if command == "check":
        from ingest.report_check import main as check_main

        return check_main(rest)
    if command == "fetch":
        from ingest.collect import main as fetch_main

        return fetch_main(rest)
    if command == "bench-fetch":
        from ingest.bench_fetch import main as bench_main

        return bench_main(rest)
    if command == "bench":
        from ingest.bench import main as build_bench_main

        return build_bench_main(rest)
    if command == "run":
        # the orchestration lives in its own process: this library never imports dagster
        return subprocess.call([sys.executable, "-m", "orchestration.run", *rest])
    ap.error(f"unknown command {command!r}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
