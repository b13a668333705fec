"""Parser accuracy on synthetic reports whose every value is known.

Generates reports in memory over every rendering (`ingest.render.ALL_RENDERINGS`) and both
scripts, parses each with `ingest.parse.parse_document`, and compares the statistics cell by cell
with the truth (applications, reviews, proactive). A blank read as blank (None vs None) is exact;
a cell the parser did not return is wrong.

The figure that matters most is the *silent wrong cell*: a value the parser returns that
differs from the printed one, in a report whose hard identity checks all hold — nothing
would warn a reader of it. It must stay 0. ``silent_wrong_numbers`` counts those where the
parser returned a number (not a blank) that is not the printed one. Wrong values in reports with
a failed or undecided hard check are flagged; cells left out lower exactness and completeness
but are not silent, and so are cells returned null that the parser lists as undecided (a split
the identities cannot decide, see `ingest.undecided`), counted as ``flagged_blank_cells``.

The identity figures: ``failed_identities`` (hard checks the parser reports failing),
``unexpected_failed_identities`` (of those, the ones the printed numbers do not break: a false
accusation against the agency, must stay 0), ``undecided_identities`` (hard checks involving an
undecided cell: neither passed nor failed) and ``undecided_cells``.

What no parser can get exact without guessing: ``indistinguishable_cells`` are the section 二
cells of flattened copies (the ``flat`` rendering) where two printings of a row glue into the
same digit run and differ in that cell. Section 二 has no identity, so nothing printed tells
them apart; they are counted by a reader of its own here (`indistinguishable`), which knows
what was printed and grants every bound the numbers' meaning gives. ``exact_ceiling`` is the
exact share a parser would reach with every other cell right, and ``guessed_cells`` counts
indistinguishable cells the parser returned a value for anyway (must stay 0: a right one was
luck).

    python -m ingest.accuracy --reports 2000 [--seed S] [--workers 2] [--verbose]

prints one JSON object (totals and a per-rendering breakdown); --verbose lists the first failing
reports on stderr, --dump DIR writes their documents there.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ingest.parse import parse_document
from ingest.render import (
    ALL_RENDERINGS,
    BREAKABLE,
    SCRIPTS,
    adapt_truth,
    make_report,
    render_bytes,
    render_flat,
)
from ingest.sample import AGENCIES, Agency

SECTIONS = ("applications", "reviews", "proactive")
# renderings whose truth must have tables (they change what the tables print)
_TABLES_ONLY = frozenset({"html_no_reviews", "blank_total"})


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-6)
    except (TypeError, ValueError):
        return False


def compare(truth: dict, result: dict) -> dict:
    """Cell-by-cell comparison of a parse result with its truth.

    Returns cells (truth cells), exact, wrong (list of [section, row, col, true, parsed] with
    parsed "missing" when absent), and extra (values the parser returned where the truth has
    no cell)."""
    cells = exact = 0
    wrong: list[list] = []
    extra: list[list] = []
    for section in SECTIONS:
        want = truth.get(section) or {}
        got = result.get(section) or {}
        for row, cols in want.items():
            got_row = got.get(row) or {}
            for col, value in cols.items():
                cells += 1
                if col not in got_row:
                    wrong.append([section, row, col, value, "missing"])
                elif _same(value, got_row[col]):
                    exact += 1
                else:
                    wrong.append([section, row, col, value, got_row[col]])
        for row, cols in got.items():
            for col, value in cols.items():
                if col not in (want.get(row) or {}) and value is not None:
                    extra.append([section, row, col, None, value])
    return {"cells": cells, "exact": exact, "wrong": wrong, "extra": extra}


def _hard_checks(result: dict, reading: str | None = None) -> list[list[str]]:
    """[identity, at] of the hard checks that fail, or (given a reading) that read so."""
    return [
        [c["identity"], c["at"]]
        for c in result.get("checks", [])
        if not c["soft"] and (c["reading"] == reading if reading else c["holds"] is False)
    ]


def undecided_cells(result: dict) -> set[tuple[str, str, str]]:
    """(section, row, col) of the cells the parser lists as undecided."""
    return {(u["section"], u["row"], u["col"]) for u in result.get("undecided", [])}


def synthesize(
    seed: int,
    index: int,
    renderings: Sequence[str],
    agency: Agency | None = None,
    year: int | None = None,
) -> tuple[dict, bytes, str]:
    """(truth, document bytes, name) of report `index` of a run: the rendering cycles through
    `renderings`, the script alternates per cycle, everything else is drawn from the seed
    (the agency and the year too, unless given)."""
    truth, rng, rendering, script = _drawn(seed, index, renderings, agency, year)
    data, ext = render_bytes(truth, rendering, script, rng)
    return truth, data, f"{index:05d}-{rendering}-{script}.{ext}"


def _drawn(
    seed: int,
    index: int,
    renderings: Sequence[str],
    agency: Agency | None = None,
    year: int | None = None,
) -> tuple[dict, random.Random, str, str]:
    """(truth, generator state, rendering, script) of report `index`, ready to render."""
    rendering = renderings[index % len(renderings)]
    script = SCRIPTS[(index // len(renderings)) % len(SCRIPTS)]
    rng = random.Random(seed * 1_000_003 + index)
    drawn_agency, drawn_year = rng.choice(AGENCIES), rng.randint(2019, 2024)
    agency, year = agency or drawn_agency, year or drawn_year
    if year >= 2021 and rng.random() < 0.15:
        templates = ("2021", "2019")  # 2021 section 二 beside a 2019 section 三
    else:
        templates = ("2019", "2019") if year <= 2020 else ("2021", "2021")
    kind = "tables"
    if rendering not in _TABLES_ONLY:
        kind = rng.choices(("tables", "narrative_only", "no_statistics"), (0.92, 0.04, 0.04))[0]
    brk = rng.choice(BREAKABLE) if kind == "tables" and rng.random() < 0.1 else None
    truth = make_report(
        rng,
        agency=agency.name,
        level=agency.level,
        year=year,
        template_proactive=templates[0],
        template_applications=templates[1],
        break_identity=brk,
        kind=kind,
    )
    return adapt_truth(truth, rendering, rng), rng, rendering, script


def glued_rows(seed: int, index: int, renderings: Sequence[str]) -> tuple[dict, list]:
    """(truth, printed rows) of a report of the ``flat`` rendering: the value texts each of
    its digit runs was glued from (see `ingest.render.render_flat`)."""
    truth, rng, rendering, script = _drawn(seed, index, renderings)
    if rendering != "flat":
        raise ValueError(f"report {index} is rendered {rendering}, not flat")
    printed: list = []
    render_flat(truth, rng, script, printed)
    return truth, printed


# --- What no reader can decide -----------------------------------------------------------------
# How a cell of each section 二 measure can be printed: a count (no leading zero, thousands
# separators), a signed change, an amount (decimals, a unit), or a blank mark. A "-" glued in a
# run starts a negative number: taking it for a blank too would only count more cells.
_BLANK = "/|—|无|空"
_INT = r"0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*"
_COUNT = re.compile(f"{_BLANK}|{_INT}")
_PRINTABLE = {
    "change": re.compile(rf"{_BLANK}|0|[+-]?(?:[1-9]\d{{0,2}}(?:,\d{{3}})+|[1-9]\d*)"),
    "amount_wan_yuan": re.compile(rf"{_BLANK}|(?:{_INT})(?:\.\d+)?(?:元|\(万元)?"),
}


def _number(token: str) -> float | None:
    if re.fullmatch(_BLANK, token):
        return None
    return float(token.replace(",", "").removesuffix("(万元").removesuffix("元"))


def _possible(row: dict[str, float | None]) -> bool:
    """What the meaning of a section 二 row allows: an item count the change leaves at 0 or
    more, no more published this year than in total, and no fewer in force than issued this
    year less repealed (the parser uses the first two only)."""

    def known(*names: str) -> bool:
        return all(row.get(n) is not None for n in names)

    return (
        (not known("prior_year_items", "change") or row["prior_year_items"] + row["change"] >= 0)
        and (
            not known("published_total", "published") or row["published_total"] >= row["published"]
        )
        and (
            not known("in_force", "issued", "repealed")
            or row["in_force"] >= row["issued"] - row["repealed"]
        )
    )


def _readings(run: str, measures: Sequence[str]) -> list[tuple[str, ...]]:
    """Every cut of `run` into one printable token per measure that `_possible` allows."""
    found: list[tuple[str, ...]] = []

    def cut(start: int, done: tuple[str, ...]) -> None:
        k = len(done)
        if k == len(measures):
            if start == len(run) and _possible(
                dict(zip(measures, map(_number, done), strict=True))
            ):
                found.append(done)
            return
        printable = _PRINTABLE.get(measures[k], _COUNT)
        for end in range(start + 1, len(run) + 1):
            if printable.fullmatch(run[start:end]):
                cut(end, (*done, run[start:end]))

    cut(0, ())
    return found


def indistinguishable(truth: dict, printed: Sequence[tuple[str, list[str]]]) -> list[list[str]]:
    """[section, row, col] of the section 二 cells of a flattened report that no reader can
    decide: two printings of the row, both printable and possible, glue into the same run and
    differ there. `printed` is what `glued_rows` returns."""
    rows = [values for role, values in printed if role == "proactive"]
    items = truth.get("proactive") or {}
    if len(rows) != len(items):
        raise ValueError(f"{len(rows)} printed section 二 rows for {len(items)} items")
    out = []
    for (item, cols), values in zip(items.items(), rows, strict=True):
        measures = list(cols)
        readings = _readings("".join(values), measures)
        if tuple(values) not in readings:
            raise ValueError(f"{item}: the printed {values} is not a reading of its own run")
        out += [
            ["proactive", item, m]
            for k, m in enumerate(measures)
            if len({r[k] for r in readings}) > 1
        ]
    return out


def evaluate_one(seed: int, index: int, renderings: Sequence[str]) -> dict:
    """Generate, parse and compare report `index`: a compact record for the summary."""
    truth, data, name = synthesize(seed, index, renderings)
    result = parse_document(data, name)
    cmp = compare(truth, result)
    failures = _hard_checks(result)
    undecided = _hard_checks(result, "undecided")
    expected = [list(f) for f in truth["expected_failures"]]
    mismatched = [w for w in cmp["wrong"] if w[4] != "missing"]
    open_cells = undecided_cells(result)
    flagged = [w for w in mismatched if w[4] is None and tuple(w[:3]) in open_cells]
    mismatched = [w for w in mismatched if w not in flagged]
    warned = failures or undecided or result["status"] == "error"
    silent = [] if warned else [*mismatched, *cmp["extra"]]
    rendering = renderings[index % len(renderings)]
    blind = indistinguishable(*glued_rows(seed, index, renderings)) if rendering == "flat" else []
    return {
        "index": index,
        "name": name,
        "rendering": rendering,
        "cells": cmp["cells"],
        "exact": cmp["exact"],
        "wrong": cmp["wrong"],
        "extra": cmp["extra"],
        "silent": silent,
        "flagged": len(flagged),
        "status": result["status"],
        "truth_status": truth["status"],
        "failures_agree": sorted(failures) == sorted(expected),
        "failed_identities": len(failures),
        "unexpected_failures": [f for f in failures if f not in expected],
        "undecided_identities": len(undecided),
        "undecided_cells": len(open_cells),
        "indistinguishable": len(blind),
        "guessed": [
            c for c in blind if ((result.get(c[0]) or {}).get(c[1]) or {}).get(c[2]) is not None
        ],
        "error": result.get("error"),
    }


def _chunk(seed: int, indices: list[int], renderings: Sequence[str]) -> list[dict]:
    return [evaluate_one(seed, i, renderings) for i in indices]


def run(
    n: int, seed: int = 0, workers: int = 1, renderings: Sequence[str] = ALL_RENDERINGS
) -> list[dict]:
    """Records of `n` reports; a process pool when workers > 1 (same records either way)."""
    renderings = tuple(renderings)
    if workers <= 1:
        return _chunk(seed, list(range(n)), renderings)
    size = max(1, min(50, n // (workers * 4) or 1))
    chunks = [list(range(i, min(n, i + size))) for i in range(0, n, size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(_chunk, [seed] * len(chunks), chunks, [renderings] * len(chunks))
        return [r for part in parts for r in part]


def _share(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def summarize(records: Iterable[dict], elapsed: float | None = None) -> dict:
    """Totals and a per-rendering breakdown of `run` records."""
    records = list(records)

    def totals(rs: list[dict]) -> dict:
        cells = sum(r["cells"] for r in rs)
        exact = sum(r["exact"] for r in rs)
        blind = sum(r["indistinguishable"] for r in rs)
        return {
            "reports": len(rs),
            "cells": cells,
            "exact_share": _share(exact, cells),
            "exact_ceiling": _share(cells - blind, cells),
            "indistinguishable_cells": blind,
            "guessed_cells": sum(len(r["guessed"]) for r in rs),
            "wrong_cells": cells - exact,
            "missing_cells": sum(1 for r in rs for w in r["wrong"] if w[4] == "missing"),
            "extra_cells": sum(len(r["extra"]) for r in rs),
            "flagged_blank_cells": sum(r["flagged"] for r in rs),
            "silent_wrong_cells": sum(len(r["silent"]) for r in rs),
            "silent_wrong_numbers": sum(1 for r in rs for w in r["silent"] if w[4] is not None),
            "reports_with_silent_wrong": sum(1 for r in rs if r["silent"]),
            "status_agreement": _share(sum(r["status"] == r["truth_status"] for r in rs), len(rs)),
            "failed_checks_agreement": _share(sum(r["failures_agree"] for r in rs), len(rs)),
            "failed_identities": sum(r["failed_identities"] for r in rs),
            "unexpected_failed_identities": sum(len(r["unexpected_failures"]) for r in rs),
            "undecided_identities": sum(r["undecided_identities"] for r in rs),
            "reports_with_undecided_identities": sum(1 for r in rs if r["undecided_identities"]),
            "undecided_cells": sum(r["undecided_cells"] for r in rs),
            "errors": sum(1 for r in rs if r["status"] == "error"),
        }

    out = totals(records)
    by: dict[str, list[dict]] = {}
    for r in records:
        by.setdefault(r["rendering"], []).append(r)
    out["by_rendering"] = {
        name: {
            k: v
            for k, v in totals(rs).items()
            if k
            in (
                "reports",
                "cells",
                "exact_share",
                "exact_ceiling",
                "wrong_cells",
                "flagged_blank_cells",
                "silent_wrong_cells",
                "silent_wrong_numbers",
                "reports_with_silent_wrong",
                "status_agreement",
                "failed_identities",
                "unexpected_failed_identities",
                "undecided_identities",
            )
        }
        for name, rs in by.items()
    }
    if elapsed is not None:
        out["elapsed_seconds"] = round(elapsed, 2)
    return out


def failing(records: Iterable[dict], limit: int = 20) -> list[dict]:
    """The first `limit` reports with a wrong or extra cell or a status that differs; silent
    ones first."""
    bad = [r for r in records if r["wrong"] or r["extra"] or r["status"] != r["truth_status"]]
    bad.sort(key=lambda r: (not r["silent"], r["index"]))
    return [
        {
            "rendering": r["rendering"],
            "name": r["name"],
            "status": [r["truth_status"], r["status"]],
            "silent": len(r["silent"]),
            "wrong": len(r["wrong"]),
            "first": (r["silent"] or r["wrong"] or r["extra"])[:4],
            **({"error": r["error"]} if r["error"] else {}),
        }
        for r in bad[:limit]
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m ingest.accuracy", description="Parser accuracy on synthetic reports."
    )
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--renderings", default=",".join(ALL_RENDERINGS), help="comma-separated subset")
    ap.add_argument("--verbose", action="store_true", help="list failing reports on stderr")
    ap.add_argument("--dump", type=Path, help="write the failing reports' documents here")
    args = ap.parse_args(argv)
    renderings = tuple(r for r in args.renderings.split(",") if r)
    unknown = set(renderings) - set(ALL_RENDERINGS)
    if unknown:
        ap.error(f"unknown renderings: {sorted(unknown)}")
    start = time.perf_counter()
    records = run(args.reports, args.seed, args.workers, renderings)
    summary = summarize(records, time.perf_counter() - start)
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    bad = failing(records)
    if args.verbose:
        for row in bad:
            sys.stderr.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for row in failing(records, limit=200):
            index = int(row["name"].split("-", 1)[0])
            truth, data, name = synthesize(args.seed, index, renderings)
            (args.dump / name).write_bytes(data)
            (args.dump / (name + ".truth.json")).write_text(
                json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
