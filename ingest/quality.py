"""How well a batch of reports went, by year partition, measured against thresholds.

Three measures, each a `Verdict` (passed or not, a one-line summary, figures and rows to show):

* parse coverage: of the reports whose bytes were read, the share parsed complete, narrative
  only, and failed, per partition;
* fetch failures: the share of catalog entries whose bytes could not be read, per partition,
  with the most frequent reasons;
* quarantine: the share of reports with statistics whose printed numbers break an identity and
  are kept out of the fact tables, per reporting year.

A verdict that does not pass is a warning about the sources or the parser, never a reason to
stop: the tables keep every report either way. The thresholds are `Thresholds`' defaults.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import pyarrow as pa

from ingest.partitions import partition_of
from ingest.store import STATUSES

Row = dict[str, object]


@dataclass(frozen=True)
class Thresholds:
    max_parse_failed: float = 0.05  # per partition: share of read reports the parser failed on
    min_complete: float = 0.50  # per partition: share of read reports parsed complete
    max_fetch_failed: float = 0.05  # overall: share of entries whose bytes could not be read
    max_quarantined: float = 0.10  # per year: share of reports with statistics quarantined

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    summary: str
    figures: dict[str, float | int] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)  # one per partition or year
    details: list[Row] = field(default_factory=list)  # the reasons or reports behind it


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _percent(value: float) -> str:
    """12.5%, or 10% when that is exact."""
    return f"{value:.0%}" if round(value * 100, 6).is_integer() else f"{value:.1%}"


def _partition_rows(reports: pa.Table, keys: Collection[str]) -> dict[str, Counter[str]]:
    """Counts per partition (in `keys` order, partitions without reports left out): reports,
    each status, fetch failures, parse failures (status error although the bytes were read)."""
    counts: dict[str, Counter[str]] = {}
    columns = reports.select(["catalog_year", "status", "fetch_status"]).to_pylist()
    for row in columns:
        c = counts.setdefault(partition_of(row["catalog_year"], keys), Counter())
        c["reports"] += 1
        c[str(row["status"])] += 1
        if row["fetch_status"] == "error":
            c["fetch_failed"] += 1
        elif row["status"] == "error":
            c["parse_failed"] += 1
    return {k: counts[k] for k in keys if k in counts}


def count_by_partition(
    years: Sequence[int | None], keys: Collection[str], **flags: Sequence[bool]
) -> list[Row]:
    """One row per partition with entries (in `keys` order): how many entries of `years` it
    has, and for each named sequence of flags how many of them are set."""
    counts: dict[str, Counter[str]] = {}
    for i, year in enumerate(years):
        c = counts.setdefault(partition_of(year, keys), Counter())
        c["entries"] += 1
        for name, flagged in flags.items():
            c[name] += bool(flagged[i])
    return [
        {"partition": k, "entries": counts[k]["entries"], **{n: counts[k][n] for n in flags}}
        for k in keys
        if k in counts
    ]


def status_by_partition(reports: pa.Table, keys: Collection[str]) -> list[Row]:
    """One row per partition with reports: how many, and how many of each status."""
    return [
        {"partition": key, "reports": c["reports"], **{s: c[s] for s in STATUSES}}
        for key, c in _partition_rows(reports, keys).items()
    ]


def parse_coverage(
    reports: pa.Table, keys: Collection[str], thresholds: Thresholds = Thresholds()
) -> Verdict:
    rows, short = [], []
    read_total = failed_total = 0
    for key, c in _partition_rows(reports, keys).items():
        read = c["reports"] - c["fetch_failed"]
        read_total += read
        failed_total += c["parse_failed"]
        row: Row = {
            "partition": key,
            "read": read,
            "complete": share(c["complete"], read),
            "partial": share(c["partial"], read),
            "narrative_only": share(c["narrative_only"], read),
            "no_statistics": share(c["no_statistics"], read),
            "failed": share(c["parse_failed"], read),
        }
        problems = []
        if read and row["failed"] > thresholds.max_parse_failed:
            problems.append(f"failed {_percent(row['failed'])}")
        if read and row["complete"] < thresholds.min_complete:
            problems.append(f"complete {_percent(row['complete'])}")
        row["verdict"] = "; ".join(problems) or "ok"
        rows.append(row)
        if problems:
            short.append(f"{key} ({', '.join(problems)})")
    limits = (
        f"failed <= {_percent(thresholds.max_parse_failed)}"
        f" and complete >= {_percent(thresholds.min_complete)} of the reports read, per year"
    )
    summary = (
        f"below threshold in {', '.join(short)}; expected {limits}"
        if short
        else f"every year within {limits}"
    )
    return Verdict(
        passed=not short,
        summary=summary,
        figures={
            "reports_read": read_total,
            "parse_failed": failed_total,
            "years_below_threshold": len(short),
        },
        rows=rows,
    )


def _reason(message: object, width: int = 120) -> str:
    text = " ".join(str(message or "unknown").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def fetch_failures(
    reports: pa.Table, keys: Collection[str], thresholds: Thresholds = Thresholds(), top: int = 10
) -> Verdict:
    by_partition = _partition_rows(reports, keys)
    rows = [
        {
            "partition": key,
            "entries": c["reports"],
            "fetch_failed": c["fetch_failed"],
            "failed_share": share(c["fetch_failed"], c["reports"]),
        }
        for key, c in by_partition.items()
    ]
    entries = sum(c["reports"] for c in by_partition.values())
    failed = sum(c["fetch_failed"] for c in by_partition.values())
    rate = share(failed, entries)
    reasons = Counter(
        _reason(r["error"])
        for r in reports.select(["fetch_status", "error"]).to_pylist()
        if r["fetch_status"] == "error"
    )
    passed = rate <= thresholds.max_fetch_failed
    verb = "within" if passed else "above"
    return Verdict(
        passed=passed,
        summary=(
            f"{failed} of {entries} entries could not be read ({_percent(rate)}), {verb} the "
            f"threshold of {_percent(thresholds.max_fetch_failed)}"
        ),
        figures={"entries": entries, "fetch_failed": failed, "failure_rate": rate},
        rows=rows,
        details=[{"reports": n, "reason": reason} for reason, n in reasons.most_common(top)],
    )


def quarantine(
    by_year: Sequence[Mapping[str, object]],
    quarantined: Sequence[Mapping[str, object]],
    thresholds: Thresholds = Thresholds(),
) -> Verdict:
    """`by_year`: rows (year, with_statistics, quarantined) per reporting year; `quarantined`:
    the quarantined reports to show (report_id, agency, year, n_failed, reason)."""
    rows, over = [], []
    for r in by_year:
        with_stats, held = int(r["with_statistics"] or 0), int(r["quarantined"] or 0)
        row: Row = {
            "year": "unknown" if r["year"] is None else str(r["year"]),
            "with_statistics": with_stats,
            "quarantined": held,
            "quarantined_share": share(held, with_stats),
        }
        rows.append(row)
        if row["quarantined_share"] > thresholds.max_quarantined:
            over.append(f"{row['year']} ({_percent(float(row['quarantined_share']))})")
    total = sum(int(r["with_statistics"]) for r in rows)
    held = sum(int(r["quarantined"]) for r in rows)
    limit = f"{_percent(thresholds.max_quarantined)} of the reports with statistics per year"
    summary = (
        f"{held} of {total} reports with statistics quarantined; above {limit} in {', '.join(over)}"
        if over
        else f"{held} of {total} reports with statistics quarantined; every year within {limit}"
    )
    return Verdict(
        passed=not over,
        summary=summary,
        figures={
            "with_statistics": total,
            "quarantined": held,
            "quarantined_share": share(held, total),
        },
        rows=rows,
        details=[dict(q) for q in quarantined],
    )


_STATUS_RANK = {s: i for i, s in enumerate(reversed(STATUSES))}  # error first


def worst_reports(reports: pa.Table, top: int = 10) -> list[Row]:
    """The reports that went worst: failed first, then the least complete, then those with the
    most failed identities and issues. Reports complete without a failure or issue are left out."""
    columns = ["report_id", "source", "catalog_year", "status", "n_checks_failed", "n_issues"]
    rows = reports.select([*columns, "error"]).to_pylist()
    troubled = [
        r
        for r in rows
        if r["status"] != "complete" or (r["n_checks_failed"] or 0) or (r["n_issues"] or 0)
    ]
    troubled.sort(
        key=lambda r: (
            _STATUS_RANK.get(str(r["status"]), -1),
            -(r["n_checks_failed"] or 0),
            -(r["n_issues"] or 0),
            str(r["report_id"]),
        )
    )
    return [{**r, "error": _reason(r["error"]) if r["error"] else ""} for r in troubled[:top]]
