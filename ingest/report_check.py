"""`ogi check FILE_OR_URL`: one report as an auditor reviews it.

A URL is fetched under the project's fetch rules (ingest.fetch) into the raw archive first, so
the copy checked is the copy kept.

Prints the parsed tables as grids with their Chinese labels, marks the cells of every failing
identity with `!`, lists the identity results and the parse issues.
"""

from __future__ import annotations

import argparse
import asyncio
import unicodedata
from pathlib import Path

from ingest import codes, paths
from ingest.parse import error_result, parse_document, parse_path
from ingest.urls import is_fetched


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(0, w - _width(s))
    return gap + s if right else s + gap


def _fmt(v) -> str:
    if v is None:
        return "·"
    return f"{v:.6f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def _grid(title: str, rows: list[tuple[str, list[str]]], header: list[str]) -> list[str]:
    label_w = min(44, max([_width(r[0]) for r in rows] + [4]))
    col_w = [max(_width(h), *(_width(r[1][i]) for r in rows)) + 1 for i, h in enumerate(header)]
    lines = [
        title,
        _pad("", label_w)
        + " "
        + " ".join(_pad(h, w, True) for h, w in zip(header, col_w, strict=True)),
    ]
    for label, cells in rows:
        short = label if _width(label) <= label_w else label[: label_w // 2 - 1] + "…"
        lines.append(
            _pad(short, label_w)
            + " "
            + " ".join(_pad(c, w, True) for c, w in zip(cells, col_w, strict=True))
        )
    return lines


def render(result: dict) -> str:
    failing: set[tuple[str, str]] = set()
    for c in result["checks"]:
        if c["holds"] is False and c["identity"] == "ledger":
            failing |= {(r, c["at"]) for r in codes.LEDGER_ROWS}
        elif c["holds"] is False and c["identity"] == "applicants":
            failing.add((c["at"], "total"))
        elif c["holds"] is False and c["identity"] == "dispositions":
            failing.add(("total_processed", c["at"]))
        elif c["holds"] is False and c["identity"] == "outcomes":
            failing.add((c["at"], "total"))

    def cell(row: str, col: str, value) -> str:
        return _fmt(value) + ("!" if (row, col) in failing else "")

    out = [
        f"report   {result['source']}",
        f"agency   {result['agency']}    year {result['year']}    status {result['status']}",
        f"template proactive {result['template']['proactive']}  applications {result['template']['applications']}",
        "",
    ]
    labels = {c.code: c.label_zh for c in codes.all_codes()}
    if result["proactive"]:
        rows = []
        for item, measures in result["proactive"].items():
            for m, v in measures.items():
                rows.append((f"{labels[item]} · {labels[m].split(' / ')[0]}", [cell(item, m, v)]))
        out += _grid("二、主动公开政府信息情况", rows, ["值"]) + [""]
    if result["applications"]:
        header = [labels[c] for c in codes.APPLICANT_COLUMNS]
        rows = [
            (
                labels[r],
                [cell(r, c, result["applications"][r].get(c)) for c in codes.APPLICANT_COLUMNS],
            )
            for r in result["applications"]
        ]
        out += _grid("三、收到和处理政府信息公开申请情况", rows, header) + [""]
    if result["reviews"]:
        header = [labels[o] for o in codes.OUTCOMES]
        rows = [
            (labels[g], [cell(g, o, result["reviews"][g].get(o)) for o in codes.OUTCOMES])
            for g in result["reviews"]
        ]
        out += _grid("四、政府信息公开行政复议、行政诉讼情况", rows, header) + [""]
    if result["narrative"]:
        out.append("narrative: " + ", ".join(f"{k}={v}" for k, v in result["narrative"].items()))
        out.append("")
    failed = [c for c in result["checks"] if c["holds"] is False]
    undecided = [c for c in result["checks"] if c["holds"] is None]
    out.append(
        f"identities: {len(result['checks'])} evaluated, {len(failed)} failing, {len(undecided)} undecided"
    )
    for c in failed + undecided:
        mark = "FAIL" if c["holds"] is False else "????"
        soft = " (soft)" if c["soft"] else ""
        out.append(
            f"  {mark} {c['identity']}{soft} at {c['at']}: {c['lhs']} vs {c['rhs']}"
            f" difference {c['difference']} [{c['reading']}]"
        )
    if result["issues"]:
        out.append("issues:")
        out += [f"  {i['severity']:<7} {i['code']}: {i['message']}" for i in result["issues"]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="ogi check", description="Show one report as parsed and checked."
    )
    ap.add_argument("report", help="a report file (HTML, text, PDF, DOCX) or an http(s) URL")
    args = ap.parse_args(argv)
    if is_fetched(args.report):
        result = check_url(args.report)
    elif not Path(args.report).is_file():
        raise FileNotFoundError(f"no such report file: {args.report}")
    else:
        result = parse_path(args.report)
    print(render(result))
    return 1 if result["status"] == "error" else 0


class FetchFailed(Exception):
    """The report at a URL could not be fetched."""


def check_url(url: str, raw_dir: Path | None = None) -> dict:
    """Fetch `url` into the raw archive (default warehouse/raw) and parse the archived copy."""
    from ingest.fetch import Fetcher

    async def fetch():
        async with Fetcher(raw_dir or paths.raw_dir()) as fetcher:
            return await fetcher.fetch(url)

    got = asyncio.run(fetch())
    if not got.ok or got.raw_path is None:
        reason = FetchFailed(f"{got.error_class}: {got.error or 'no bytes'}")
        return error_result(url, None, "fetch_error", reason)
    return parse_document(Path(got.raw_path).read_bytes(), got.final_url or url)
