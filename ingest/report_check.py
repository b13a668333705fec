"""`ogi check FILE_OR_URL`: one report as an auditor reviews it.

A URL is fetched under the project's fetch rules (ingest.fetch) into the raw archive first, so
the copy checked is the copy kept.

Prints the parsed tables as grids with their Chinese labels, marks the cells of every failing
identity with `!` and the cells the parser could not decide with `?` (a blank is `·`), lists
the identity results and the parse issues. An identity is FAIL (the printed numbers break it),
BLANK (a blank total leaves it open) or UNDECIDED (it involves a cell the parser could not
decide: neither failed nor passed).
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

    open_cells = {(u["section"], u["row"], u["col"]) for u in result.get("undecided", [])}

    def cell(row: str, col: str, value, section: str) -> str:
        text = "?" if (section, row, col) in open_cells else _fmt(value)
        return text + ("!" if (row, col) in failing else "")

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
                label = f"{labels[item]} · {labels[m].split(' / ')[0]}"
                rows.append((label, [cell(item, m, v, "proactive")]))
        out += _grid("二、主动公开政府信息情况", rows, ["值"]) + [""]
    if result["applications"]:
        header = [labels[c] for c in codes.APPLICANT_COLUMNS]
        rows = [
            (
                labels[r],
                [
                    cell(r, c, result["applications"][r].get(c), "applications")
                    for c in codes.APPLICANT_COLUMNS
                ],
            )
            for r in result["applications"]
        ]
        out += _grid("三、收到和处理政府信息公开申请情况", rows, header) + [""]
    if result["reviews"]:
        header = [labels[o] for o in codes.OUTCOMES]
        rows = [
            (
                labels[g],
                [cell(g, o, result["reviews"][g].get(o), "reviews") for o in codes.OUTCOMES],
            )
            for g in result["reviews"]
        ]
        out += _grid("四、政府信息公开行政复议、行政诉讼情况", rows, header) + [""]
    if result["narrative"]:
        out.append("narrative: " + ", ".join(f"{k}={v}" for k, v in result["narrative"].items()))
        out.append("")
    failed = [c for c in result["checks"] if c["holds"] is False]
    blank = [c for c in result["checks"] if c["holds"] is None and c["reading"] != "undecided"]
    undecided = [c for c in result["checks"] if c["reading"] == "undecided"]
    out.append(
        f"identities: {len(result['checks'])} evaluated, {len(failed)} failing, "
        f"{len(blank)} open (blank total), {len(undecided)} undecided by the parser"
    )
    for mark, listed in (("FAIL", failed), ("BLANK", blank), ("UNDECIDED", undecided)):
        for c in listed:
            soft = " (soft)" if c["soft"] else ""
            where = f"  {mark} {c['identity']}{soft} at {c['at']}: "
            if mark == "UNDECIDED":
                out.append(
                    f"{where}printed terms {c['lhs']} vs {c['rhs']}, "
                    f"cells not decided: {', '.join(c['undecided'])}"
                )
            else:
                out.append(
                    f"{where}{c['lhs']} vs {c['rhs']} difference {c['difference']} [{c['reading']}]"
                )
    left_out = sorted(
        {(u["section"], u["row"]) for u in result.get("undecided", [])}
        - {(s, r) for s in ("applications", "reviews", "proactive") for r in result[s]}
    )
    if left_out:
        out.append("rows printed but not read: " + ", ".join(f"{s} {r}" for s, r in left_out))
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
