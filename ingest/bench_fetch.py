"""`ogi bench-fetch`: how fast sources are fetched and archived, and how memory grows with them.

A portal (`ingest.portal`) runs in a process of its own on 127.0.0.1 and serves any number of
distinct report pages (a few printed by `ingest.render`, each copy made unique by its page
number, so every page is a new file in the archive). For each page count a fresh process
fetches them all through `ingest.collect.collect` (the path of a real run: fetch, stream into
the content-addressed archive, append the fetch log) with the per-host limits lifted, then
prints pages per second and its peak resident memory. A benchmark, not a test: it prints
figures and asserts nothing.

    ogi bench-fetch --pages 2000 10000 [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PAGE_PATH = "/r/{}.html"


def _templates(n: int) -> list[bytes]:
    from ingest.render import make_report, render_html

    pages = []
    for i in range(n):
        rng = random.Random(f"bench/{i}")
        truth = make_report(
            rng,
            agency="青原市生态环境局",
            level="city",
            year=2019 + i % 6,
            template_proactive="2021",
            template_applications="2021",
        )
        pages.append(render_html(truth, rng).encode("utf-8"))
    return pages


def serve(templates: int) -> None:
    """Serve /r/<n>.html for every n until killed; print the port first."""
    from ingest.portal import Page, Portal

    bodies = _templates(templates)

    def page_for(path: str) -> Page | None:
        stem = path.removeprefix("/r/").removesuffix(".html")
        if not stem.isdigit():
            return None
        i = int(stem)
        body = bodies[i % len(bodies)].replace(b"</body>", f"<!-- {i} --></body>".encode(), 1)
        return Page(body)

    portal = Portal(page_for=page_for, record=False).start()
    print(portal.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        portal.stop()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def fetch_pages(base_url: str, pages: int, concurrency: int) -> dict:
    """Fetch `pages` pages of the portal at `base_url` into a temporary archive."""
    from ingest.catalog import CatalogEntry
    from ingest.collect import collect
    from ingest.fetch import FetchPolicy

    before = _peak_rss_mb()
    entries = [
        CatalogEntry(source=u, location=u, is_local=False, line=i + 2)
        for i, u in enumerate(base_url + PAGE_PATH.format(i) for i in range(pages))
    ]
    policy = FetchPolicy(concurrency=concurrency, allow_private=True).lifted()
    with tempfile.TemporaryDirectory(prefix="ogi-bench-") as tmp:
        t0 = time.perf_counter()
        collected = collect(entries, Path(tmp) / "raw", Path(tmp) / "parquet", policy)
        seconds = time.perf_counter() - t0
        files = sum(1 for p in (Path(tmp) / "raw").rglob("*") if p.is_file())
    return {
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 1),
        "archived": collected.counts["archived"],
        "files": files,
        "failed": collected.counts["fetch_errors"],
        "mb_fetched": round(collected.counts.get("bytes_fetched", 0) / 1048576, 1),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="ogi bench-fetch",
        description="Pages/s and peak memory of fetching and archiving from a local portal.",
    )
    ap.add_argument("--pages", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--templates", type=int, default=24, help="distinct report pages rendered")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", metavar="BASE_URL", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.templates)
        return 0
    if args.child:
        print(json.dumps(fetch_pages(args.child, args.pages[0], args.concurrency)), flush=True)
        return 0

    me = [sys.executable, "-m", "ingest.bench_fetch"]
    server = subprocess.Popen(
        [*me, "--serve", "--templates", str(args.templates)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        print(
            f"portal {base_url} (own process), concurrency {args.concurrency}, per-host limits lifted"
        )
        print(
            f"{'pages':>8} {'seconds':>8} {'pages/s':>8} {'MB':>7} {'failed':>7} {'RSS start MB':>13} {'peak RSS MB':>12}"
        )
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        for n in args.pages:
            out = subprocess.run(
                [
                    *me,
                    "--child",
                    base_url,
                    "--pages",
                    str(n),
                    "--concurrency",
                    str(args.concurrency),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if out.returncode != 0:
                print(f"{n:>8} failed: {out.stderr.strip()[-2000:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['pages']:>8} {r['seconds']:>8} {r['pages_per_s']:>8} {r['mb_fetched']:>7}"
                f" {r['failed']:>7} {r['rss_before_mb']:>13} {r['peak_rss_mb']:>12}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
