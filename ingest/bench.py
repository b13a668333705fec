"""`ogi bench`: the whole warehouse build on N synthetic reports, stage by stage, measured.

The corpus is made by the project's generator (`ingest.accuracy.synthesize` over every
rendering of `ingest.render`, simplified and traditional script), one report per agency and
year for many invented agencies (each reports 2019-2024, so the cross-year checks have their
pairs), and web pages padded with the chrome real portals carry: style sheets, scripts,
navigation menus and footers, 30-150 KB a page. It is written once per (N, seed) under
`--dir` (default `warehouse/bench/`, outside git) on every core, with a catalog, and reused by
later runs.

The run, in a fresh warehouse beside the corpus (`run/`), times each stage the way `make run`
chains them, without Dagster (`ingest.collect` → `ingest.pipeline.stream_tables` → `dbt build`
with every test):

1. archive: read the N files into the content-addressed archive (and the fetch log);
2. parse and write: every report parsed on every core, rows streamed into Parquet;
3. dbt build: every model and every test, into a copy of the published warehouse file that
   then replaces it (`ingest.publish`, as the orchestration builds);
4. the same again with nothing changed (no file is read again, nothing is parsed: file stats
   and content hashes);
5. one new report added to the catalog, until it is in the fact tables (dbt rewrites the rows
   of that report only: the large models are built by report);

then the parser alone on a sample of the corpus (reports/s on one core, web pages and text
renderings apart), and a baseline a user would write: `pandas.read_html` on the same web pages
(tables only), against the whole parse. It prints one JSON object and asserts nothing.

    ogi bench --reports 10000 [--dir DIR] [--seed S] [--skip-baseline] [--keep-corpus]
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from ingest import compiled, paths
from ingest.sample import Agency

YEARS = tuple(range(2019, 2025))
CHUNK = 250  # reports per task when the corpus is generated
SAMPLE = 400  # reports of each kind timed on one core (and against the baseline)
MIN_PAGE, MAX_PAGE, MODE_PAGE = 30_000, 150_000, 60_000  # bytes of a web page with its chrome

# Invented places (two characters and a unit) and the departments of each.
_PLACE_CHARS = "青安临柳石云白平湖江河山川原溪沙泉林峰阳宁丰兴和新华东西南北长永德福康泰明清乐嘉"
_DEPARTMENTS = (
    ("人民政府", "large"),
    ("人民政府办公室", "medium"),
    ("生态环境局", "small"),
    ("自然资源和规划局", "medium"),
    ("市场监督管理局", "small"),
    ("人力资源和社会保障局", "small"),
    ("住房和城乡建设局", "small"),
    ("交通运输局", "small"),
    ("卫生健康委员会", "small"),
    ("教育局", "small"),
    ("公安局", "medium"),
    ("民政局", "none"),
)


def bench_agency(k: int) -> Agency:
    """Agency number k: a department of an invented city or county (distinct for every k)."""
    department, scale = _DEPARTMENTS[k % len(_DEPARTMENTS)]
    place = k // len(_DEPARTMENTS)
    n = len(_PLACE_CHARS)
    a, b, unit = place % n, (place // n) % n, (place // (n * n)) % 2
    name = _PLACE_CHARS[a] + _PLACE_CHARS[b] + "市县"[unit] + department
    region = f"{24 + place % 3}{(place // 3) % 100:02d}{(place // 300) % 100:02d}"
    return Agency(name, ("city", "county")[unit], region, scale)


def bench_report(seed: int, index: int) -> tuple[dict, bytes, str, Agency]:
    """(truth, bytes, file name, agency) of report `index`: agency index // 6, year 2019 +
    index % 6, every rendering and both scripts in turn; web pages carry portal chrome."""
    from ingest.accuracy import synthesize
    from ingest.render import ALL_RENDERINGS

    agency = bench_agency(index // len(YEARS))
    truth, data, name = synthesize(
        seed, index, ALL_RENDERINGS, agency=agency, year=YEARS[index % len(YEARS)]
    )
    if name.endswith(".html"):
        rng = random.Random(f"chrome/{seed}/{index}")
        data = with_chrome(data, "gbk" if "_gbk_" in name else "utf-8", "traditional" in name, rng)
    return truth, data, name, agency


# --- portal chrome --------------------------------------------------------------------------

_MENU = (
    "首页",
    "机构概况",
    "政务公开",
    "政策文件",
    "政策解读",
    "新闻动态",
    "通知公告",
    "人事信息",
    "财政资金",
    "规划计划",
    "政务服务",
    "办事指南",
    "互动交流",
    "领导信箱",
    "网上调查",
    "专题专栏",
    "数据发布",
    "应急管理",
    "招标采购",
    "建议提案办理",
)


@cache
def _menu(traditional: bool) -> tuple[str, ...]:
    if not traditional:
        return _MENU
    from ingest.render import to_traditional

    return tuple(to_traditional("\n".join(_MENU)).split("\n"))


def _style(rng: random.Random, size: int) -> str:
    rules = []
    while sum(map(len, rules)) < size:
        k = rng.randint(0, 9999)
        rules.append(
            f".c{k} .item-{rng.randint(0, 99)} a:hover{{color:#{rng.randint(0, 0xFFFFFF):06x};"
            f"margin:{rng.randint(0, 20)}px {rng.randint(0, 20)}px;line-height:{rng.randint(12, 30)}px}}\n"
        )
    return "<style>\n" + "".join(rules) + "</style>\n"


def _script(rng: random.Random, size: int) -> str:
    lines = ["<script>", "(function(w,d){var cfg={site:'portal',ver:'" + str(rng.random()) + "'};"]
    while sum(map(len, lines)) < size:
        k = rng.randint(0, 99999)
        lines.append(
            f"  w.m{k}=function(e){{if(!e||e.length<{rng.randint(1, 9)})return null;"
            f"for(var i=0;i<e.length;i++){{cfg['k'+i]=e[i]^{rng.randint(1, 255)};}}return cfg;}};"
        )
    lines.append("})(window,document);</script>\n")
    return "\n".join(lines)


def _nav(rng: random.Random, traditional: bool) -> str:
    items = _menu(traditional)
    links = "".join(
        f'<li><a href="/col/col{rng.randint(1000, 99999)}/index.html" target="_blank">'
        f"{items[rng.randrange(len(items))]}</a></li>"
        for _ in range(rng.randint(20, 60))
    )
    return f'<div class="topnav"><ul class="menu">{links}</ul></div>\n'


def with_chrome(data: bytes, encoding: str, traditional: bool, rng: random.Random) -> bytes:
    """A web page padded to a portal page's size (30-150 KB) with what surrounds the article on
    a real portal: style sheets and scripts in the head, a navigation menu above the article,
    scripts after it. None of it is report text: the page parses to the same statistics."""
    page = data.decode(encoding)
    target = int(rng.triangular(MIN_PAGE, MAX_PAGE, MODE_PAGE))
    room = max(0, target - len(data))
    head = _style(rng, room // 4) + _script(rng, room // 4)
    tail = _script(rng, room // 2)
    page = page.replace("</head>", head + "</head>", 1)
    page = page.replace("<body>", "<body>\n" + _nav(rng, traditional), 1)
    page = page.replace("</body>", tail + "</body>", 1)
    return page.encode(encoding)


# --- the corpus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    directory: str
    catalog: str  # the N reports
    catalog_plus_one: str  # the same and one more report
    extra_report_id: str  # the one more
    reports: int
    bytes: int
    web_pages: int
    text_reports: int


def _write_chunk(root: str, seed: int, indices: list[int]) -> list[dict]:
    rows = []
    for index in indices:
        _truth, data, name, agency = bench_report(seed, index)
        relative = f"reports/{index // 1000:04d}/{name}"
        path = Path(root) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows.append(
            {
                "url": relative,
                "agency": agency.name,
                "region_code": agency.region_code,
                "level": agency.level,
                "year": YEARS[index % len(YEARS)],
                "kind": "",
                "bytes": len(data),
            }
        )
    return rows


def _extra_index(seed: int, n: int) -> int:
    """The first report after the N whose identities hold and that has tables (so that it
    must appear in the fact tables)."""
    index = n
    while True:
        truth, _data, name, _agency = bench_report(seed, index)
        if truth["status"] == "complete" and not truth["expected_failures"]:
            if name.endswith(".html"):
                return index
        index += 1


def _write_catalog(path: Path, rows: list[dict]) -> None:
    columns = ("url", "agency", "region_code", "level", "year", "kind")
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def make_corpus(n: int, seed: int, root: Path, workers: int) -> tuple[Corpus, float, bool]:
    """The corpus of (n, seed) under `root`, written on `workers` processes unless a complete
    one is there already; (corpus, seconds spent, whether it was reused)."""
    from ingest.catalog import report_id

    directory = root / f"corpus-n{n}-seed{seed}"
    stamp = directory / "corpus.json"
    if stamp.exists():
        return Corpus(**json.loads(stamp.read_text(encoding="utf-8"))), 0.0, True
    started = time.perf_counter()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    extra = _extra_index(seed, n)
    indices = [*range(n), extra]
    chunks = [indices[i : i + CHUNK] for i in range(0, len(indices), CHUNK)]
    rows: list[dict] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(
            _write_chunk, [str(directory)] * len(chunks), [seed] * len(chunks), chunks
        ):
            rows.extend(part)
    _write_catalog(directory / "catalog.csv", rows[:n])
    _write_catalog(directory / "catalog_plus_one.csv", rows)
    web = sum(1 for r in rows[:n] if r["url"].endswith(".html"))
    corpus = Corpus(
        directory=str(directory),
        catalog=str(directory / "catalog.csv"),
        catalog_plus_one=str(directory / "catalog_plus_one.csv"),
        extra_report_id=report_id(rows[-1]["url"]),
        reports=n,
        bytes=sum(r["bytes"] for r in rows[:n]),
        web_pages=web,
        text_reports=n - web,
    )
    stamp.write_text(json.dumps(asdict(corpus), ensure_ascii=False), encoding="utf-8")
    return corpus, time.perf_counter() - started, False


# --- measuring ------------------------------------------------------------------------------


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest child (a parse worker or dbt)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"bench_process": round(own, 1), "largest_child": round(child, 1)}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def ingest_run(catalog: str, warehouse: Path, workers: int) -> dict:
    """Archive then parse and write one catalog into `warehouse`, each stage timed."""
    from ingest.catalog import read_catalog
    from ingest.collect import collect
    from ingest.fetch import FetchPolicy
    from ingest.pipeline import Previous, stream_tables

    parquet, raw = warehouse / "parquet", warehouse / "raw"
    t0 = time.perf_counter()
    reading = read_catalog(catalog)
    previous = Previous(parquet)
    policy = FetchPolicy.from_env()
    collected = collect(reading.entries, raw, parquet, policy, previous=previous.reports)
    t1 = time.perf_counter()
    batch, written = stream_tables(
        collected.reports, parquet, previous=previous, retire=collected.retired, workers=workers
    )
    t2 = time.perf_counter()
    return {
        "archive_s": round(t1 - t0, 2),
        "parse_and_write_s": round(t2 - t1, 2),
        "parquet_write_s": round(sum(w.seconds for w in written.values()), 2),
        "parsed": batch.parsed,
        "reused": batch.reused,
        "status": batch.status_counts,
        "rows": {name: w.rows for name, w in written.items()},
    }


def dbt_build(warehouse: Path) -> dict:
    """`dbt build` (every model, every test) on the warehouse's Parquet, timed, the way the
    orchestration runs it (`ingest.publish`): into a copy of the published file, which then
    replaces it. Skipped when the warehouse was built from exactly these Parquet files and this
    project (`ingest.build_stamp`)."""
    from ingest import build_stamp, publish

    parquet, duckdb_path, project = (
        warehouse / "parquet",
        warehouse / "ogi.duckdb",
        paths.dbt_project_dir(),
    )
    t0 = time.perf_counter()
    if build_stamp.up_to_date(parquet, project, duckdb_path):
        seconds = round(time.perf_counter() - t0, 2)
        return {"dbt_build_s": seconds, "dbt_ok": True, "dbt": "skipped: inputs unchanged"}
    build_stamp.forget(duckdb_path)
    run_results = warehouse / "dbt_target" / "run_results.json"
    run_results.unlink(missing_ok=True)
    build = publish.prepare_build(duckdb_path)
    copied = time.perf_counter()
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        **paths.dbt_env(parquet, build),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    out = subprocess.run(
        [
            str(dbt),
            "build",
            "--profiles-dir",
            ".",
            "--target-path",
            str(warehouse / "dbt_target"),
            "--log-path",
            str(warehouse / "dbt_logs"),
        ],
        cwd=paths.dbt_project_dir(),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    built = time.perf_counter()
    if out.returncode == 0:
        publish.publish(build, duckdb_path)
        build_stamp.record_build(parquet, project, duckdb_path)
    else:
        publish.discard(build)
    seconds = time.perf_counter() - t0
    summary = next(
        (
            line[line.index("PASS=") :]
            for line in reversed(out.stdout.splitlines())
            if "PASS=" in line
        ),
        "",
    )
    result = {
        "dbt_build_s": round(seconds, 2),
        "dbt_ok": out.returncode == 0,
        "dbt": summary,
        "copy_published_s": round(copied - t0, 2),
        "dbt_s": round(built - copied, 2),
        "warehouse_mb": round(duckdb_path.stat().st_size / 2**20, 1) if duckdb_path.exists() else 0,
        **node_times(run_results),
    }
    if out.returncode != 0:
        result["dbt_output_tail"] = out.stdout[-3000:] + out.stderr[-2000:]
    return result


def node_times(run_results: Path, slowest: int = 6) -> dict:
    """Where a dbt build's time went (its run_results.json): seconds in models and in tests,
    and the slowest nodes."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return {}
    kinds: dict[str, float] = {}
    for r in results:
        kind = r["unique_id"].split(".")[0]
        kinds[kind] = kinds.get(kind, 0.0) + r["execution_time"]
    top = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:slowest]
    return {
        "dbt_models_s": round(kinds.get("model", 0.0), 2),
        "dbt_tests_s": round(kinds.get("test", 0.0) + kinds.get("unit_test", 0.0), 2),
        "dbt_slowest": {
            r["unique_id"].split(".")[2][:60]: round(r["execution_time"], 2) for r in top
        },
    }


def in_facts(warehouse: Path, report_id: str) -> bool:
    import duckdb

    con = duckdb.connect(str(warehouse / "ogi.duckdb"), read_only=True)
    try:
        query = "select count(*) from fct_applications where report_id = ?"
        return con.execute(query, [report_id]).fetchone()[0] > 0
    finally:
        con.close()


# samples of the same kind of file: the one timed, the pandas baseline's, the warm-up's
TIMED, BASELINE, WARM_UP = 0, 1, 2


def _sample(corpus: Corpus, html: bool, n: int, which: int = TIMED) -> list[Path]:
    """Up to n files of one kind, drawn at random (a fixed seed) from the whole corpus, so that
    each rendering and script has its share: the generator writes them in a cycle, and every
    k-th file would draw a few of them only. The three samples (`which`) share no file,
    whatever the size of the corpus (a warm-up on the timed files would time pages the process
    has seen)."""
    with open(corpus.catalog, encoding="utf-8") as fh:
        urls = [row["url"] for row in csv.DictReader(fh)]
    kind = [u for u in urls if u.endswith(".html") == html]
    order = list(range(len(kind)))
    random.Random(len(kind)).shuffle(order)
    size = min(n, len(kind) // 3)
    picked = sorted(order[which * size : (which + 1) * size])
    return [Path(corpus.directory) / kind[i] for i in picked]


def _timed_parse(docs: list[tuple[bytes, str]]) -> tuple[float, int]:
    from ingest.parse import parse_document

    started = time.perf_counter()
    cells = sum(len(parse_document(data, name)["cells"]) for data, name in docs)
    return time.perf_counter() - started, cells


def parse_rate(files: list[Path], warm: list[Path]) -> dict:
    """Reports/s of the whole parse on one core, in the steady state of a worker of a large
    batch: its caches of labels and cells warmed first on other reports of the corpus
    (`warm`), then `files` timed, each parsed once (files read beforehand)."""
    _timed_parse([(p.read_bytes(), str(p)) for p in warm])
    gc.freeze()  # as a worker does between chunks (ingest.pipeline)
    docs = [(p.read_bytes(), str(p)) for p in files]
    if not docs:
        return {"files": 0}
    seconds, cells = _timed_parse(docs)
    return {
        "files": len(docs),
        "seconds": round(seconds, 3),
        "reports_per_s": round(len(docs) / seconds, 1),
        "cells_per_s": round(cells / seconds),
    }


BASELINE_BATCH = 100  # pages parsed by one side before the other takes its turn


def baseline(files: list[Path]) -> dict:
    """pandas.read_html (lxml) on web pages, tables only, against our whole parse of the same
    pages, both on one core, on pages this process has not parsed before. The two take turns
    by batches of pages (ours first), so that a slower spell of the machine weighs on both."""
    try:
        import pandas as pd
    except ImportError:
        return {"skipped": "pandas is not installed (pip install -e '.[bench]')"}

    def read_tables(batch: list[tuple[bytes, str]]) -> tuple[float, int]:
        started = time.perf_counter()
        tables = 0
        for data, _name in batch:
            try:
                tables += len(pd.read_html(io.BytesIO(data), flavor="lxml"))
            except ValueError:  # "No tables found"
                pass
        return time.perf_counter() - started, tables

    docs = [(p.read_bytes(), str(p)) for p in files]
    ours_s = pandas_s = 0.0
    tables = 0
    for i in range(0, len(docs), BASELINE_BATCH):
        batch = docs[i : i + BASELINE_BATCH]
        ours_s += _timed_parse(batch)[0]
        seconds, found = read_tables(batch)
        pandas_s += seconds
        tables += found
    return {
        "files": len(docs),
        "pandas_read_html_s": round(pandas_s, 3),
        "pandas_tables": tables,
        "ours_s": round(ours_s, 3),
        "ratio": round(pandas_s / ours_s, 2) if ours_s else None,
    }


def _details(build: dict) -> dict:
    """A build's figures beyond its time, result and summary."""
    skip = ("dbt_build_s", "dbt_ok", "dbt", "dbt_output_tail")
    return {k: v for k, v in build.items() if k not in skip}


def one_core(corpus: Corpus, with_baseline: bool) -> dict:
    """The parser alone on one core (web pages, text renderings), then against the baseline."""
    out: dict = {
        "parse_one_core": {
            "web_pages": parse_rate(
                _sample(corpus, True, SAMPLE), _sample(corpus, True, SAMPLE, WARM_UP)
            ),
            "text_renderings": parse_rate(
                _sample(corpus, False, SAMPLE), _sample(corpus, False, SAMPLE, WARM_UP)
            ),
        }
    }
    if with_baseline:
        out["baseline_pandas_read_html"] = baseline(_sample(corpus, True, SAMPLE, BASELINE))
    # the parser's modules that ran compiled here (ingest.compiled); none: plain Python
    out["compiled_modules"] = compiled.in_use()
    return out


def targets_met(out: dict) -> dict[str, bool | None]:
    """Each target of a national collection on this machine, met or not (None: not measured;
    the end-to-end figure is for 100,000 reports)."""
    one_core = out["parse_one_core"]
    ratio = (out.get("baseline_pandas_read_html") or {}).get("ratio")
    return {
        "parse_web_pages_400_per_s_per_core": one_core["web_pages"].get("reports_per_s", 0) >= 400,
        "parse_text_250_per_s_per_core": one_core["text_renderings"].get("reports_per_s", 0) >= 250,
        "end_to_end_100k_5_min": out["end_to_end_s"] <= 300 if out["reports"] >= 100_000 else None,
        "peak_rss_4_gb": max(out["peak_rss_mb"].values()) <= 4096,
        "rerun_unchanged_60_s": out["rerun_unchanged_s"] <= 60
        and out["rerun_unchanged"]["reparsed"] == 0,
        "one_new_report_90_s": out["one_new_report_s"] <= 90 and out["one_new_report"]["in_facts"],
        "pandas_baseline_3x": None if ratio is None else ratio >= 3,
    }


def run(
    n: int,
    root: Path,
    seed: int = 0,
    workers: int | None = None,
    skip_baseline: bool = False,
    keep_corpus: bool = True,
) -> dict:
    from ingest.pipeline import default_workers

    workers = workers or default_workers()
    load_start = load_average()
    corpus, corpus_s, reused = make_corpus(n, seed, root, workers)
    warehouse = root / f"run-n{n}-seed{seed}"
    shutil.rmtree(warehouse, ignore_errors=True)
    warehouse.mkdir(parents=True)

    first = ingest_run(corpus.catalog, warehouse, workers)
    build = dbt_build(warehouse)
    again = ingest_run(corpus.catalog, warehouse, workers)
    rebuild = dbt_build(warehouse)
    added = ingest_run(corpus.catalog_plus_one, warehouse, workers)
    added_build = dbt_build(warehouse)
    cells = first["rows"]["cells"]
    parse_s = first["parse_and_write_s"]
    out: dict = {
        "reports": n,
        "bytes": corpus.bytes,
        "web_pages": corpus.web_pages,
        "text_reports": corpus.text_reports,
        "workers": workers,
        "cores": default_workers(),
        "load_average_start": load_start,
        "corpus_s": round(corpus_s, 2),
        "corpus_reused": reused,
        "archive_s": first["archive_s"],
        "parse_and_write_s": parse_s,
        "parse_reports_per_s": round(n / parse_s, 1),
        "parse_reports_per_s_per_core": round(n / parse_s / workers, 1),
        "cells": cells,
        "cells_per_s": round(cells / parse_s),
        "parquet_write_s": first["parquet_write_s"],
        "dbt_build_s": build["dbt_build_s"],
        "dbt_build": _details(build),
        "end_to_end_s": round(first["archive_s"] + parse_s + build["dbt_build_s"], 2),
        "status": first["status"],
        "dbt": build["dbt"],
        "rerun_unchanged_s": round(
            again["archive_s"] + again["parse_and_write_s"] + rebuild["dbt_build_s"], 2
        ),
        "rerun_unchanged": {
            "reparsed": again["parsed"],
            "archive_s": again["archive_s"],
            "parse_and_write_s": again["parse_and_write_s"],
            "dbt_build_s": rebuild["dbt_build_s"],
            "dbt": rebuild["dbt"],
        },
        "one_new_report_s": round(
            added["archive_s"] + added["parse_and_write_s"] + added_build["dbt_build_s"], 2
        ),
        "one_new_report": {
            "parsed": added["parsed"],
            "in_facts": in_facts(warehouse, corpus.extra_report_id),
            "archive_s": added["archive_s"],
            "parse_and_write_s": added["parse_and_write_s"],
            "dbt_build_s": added_build["dbt_build_s"],
            "dbt_build": _details(added_build),
        },
    }
    for name, b in (("first", build), ("rerun", rebuild), ("one_new", added_build)):
        if not b["dbt_ok"]:
            out[f"dbt_failed_{name}"] = b.get("dbt_output_tail")
    # in a new interpreter, as a parse worker is: not in this process, which holds what the
    # runs above left (whose garbage collections would be charged to the parser)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        out.update(pool.submit(one_core, corpus, not skip_baseline).result())
    out["peak_rss_mb"] = peak_rss_mb()
    out["targets_met"] = targets_met(out)
    out["load_average_end"] = load_average()
    if not keep_corpus:
        shutil.rmtree(corpus.directory, ignore_errors=True)
    shutil.rmtree(warehouse / "raw", ignore_errors=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="ogi bench",
        description="Time the warehouse build (archive, parse, Parquet, dbt build with its tests) "
        "on N synthetic reports; print one JSON object.",
    )
    ap.add_argument("--reports", type=int, default=1000, help="reports in the corpus (N)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--dir", type=Path, help="where the corpus and the run go (default: warehouse/bench)"
    )
    ap.add_argument("--workers", type=int, help="processes (default: one per core)")
    ap.add_argument("--skip-baseline", action="store_true", help="do not time pandas.read_html")
    ap.add_argument(
        "--keep-corpus",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep the generated corpus for the next run with the same N and seed (default)",
    )
    args = ap.parse_args(argv)
    root = (args.dir or paths.warehouse_dir() / "bench").resolve()
    out = run(args.reports, root, args.seed, args.workers, args.skip_baseline, args.keep_corpus)
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
