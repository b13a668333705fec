"""The embedded sample corpus: synthetic reports of invented agencies with their true values.

`build_sample` writes, deterministically for a seed:

* ``reports/<name>.<ext>``: the documents (HTML pages and text copies, some in traditional
  script), one per agency and year;
* ``catalog.csv``: ``url,agency,region_code,level,year`` with ``url`` the relative path of the
  report, as a crawl catalogue lists them;
* ``truth.jsonl``: one truth per line (the parse contract of `ingest.render.make_report`) with
  the keys ``file``, ``rendering`` and ``script`` added.

Agencies report over several consecutive years, and the requests one year carries forward are
the requests the next year carries over, as in real series. The corpus covers both template
versions and the hybrid (2021 section 二 beside a 2019 section 三), every rendering, both
scripts, reports that break an identity, reports whose tables were lost (narrative only) and
reports without statistics.

``python -m ingest.sample`` rebuilds ``ingest/sample/`` in place.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from ingest.codes import APPLICANT_PARTS
from ingest.render import BREAKABLE, RENDERINGS, make_report, render

SAMPLE_DIR = Path(__file__).with_name("sample")
FIRST_YEAR, LAST_YEAR = 2019, 2024


@dataclass(frozen=True)
class Agency:
    name: str
    level: str  # province | city | county
    region_code: str
    scale: str  # volume of requests, see ingest.render.SCALES


# Invented places: province codes 24-26 are not used by GB/T 2260.
AGENCIES: tuple[Agency, ...] = (
    Agency("东江省人民政府办公厅", "province", "240000", "large"),
    Agency("东江省交通运输厅", "province", "240000", "medium"),
    Agency("北原省生态环境厅", "province", "250000", "medium"),
    Agency("南川省人民政府办公厅", "province", "260000", "large"),
    Agency("青原市人民政府", "city", "240100", "large"),
    Agency("青原市生态环境局", "city", "240100", "small"),
    Agency("青原市人民政府办公室", "city", "240100", "medium"),
    Agency("安平市人民政府", "city", "250200", "medium"),
    Agency("安平市自然资源和规划局", "city", "250200", "medium"),
    Agency("临江市市场监督管理局", "city", "240300", "small"),
    Agency("柳溪县人民政府办公室", "county", "240121", "small"),
    Agency("柳溪县人力资源和社会保障局", "county", "240121", "none"),
    Agency("石河县人民政府", "county", "250223", "small"),
    Agency("云台县人民政府办公室", "county", "240322", "small"),
    Agency("青原市城东区人民政府", "county", "240102", "small"),
    Agency("白沙县住房和城乡建设局", "county", "250225", "none"),
    Agency("南川省平湖市卫生健康委员会", "city", "260400", "small"),
    Agency("北原省文化和旅游厅", "province", "250000", "small"),
)


def _templates(year: int, hybrid: bool) -> tuple[str, str]:
    """(proactive, applications) template versions printed in a report of `year`."""
    if hybrid:
        return "2021", "2019"
    return ("2019", "2019") if year <= 2020 else ("2021", "2021")


def _slots(rng: random.Random, n: int) -> list[tuple[Agency, int]]:
    """n (agency, year) pairs: each agency reports over consecutive years up to LAST_YEAR."""
    slots: list[tuple[Agency, int]] = []
    agencies = list(AGENCIES)
    rng.shuffle(agencies)
    extra = 0
    while len(slots) < n:
        if not agencies:  # more reports than the pool holds: number further county offices
            extra += 1
            agencies.append(
                Agency(f"第{extra}县人民政府办公室", "county", f"2401{30 + extra:02d}", "small")
            )
        agency = agencies.pop(0)
        start = rng.choice([2019, 2019, 2020, 2020, 2021, 2022])
        slots += [(agency, y) for y in range(start, LAST_YEAR + 1)]
    return slots[:n]


def _plan(rng: random.Random, slots: list[tuple[Agency, int]]) -> list[dict]:
    """The features of each report, with every coverage requirement met for n >= 24."""
    n = len(slots)
    order = list(range(n))
    rng.shuffle(order)
    late = [i for i in order if slots[i][1] >= 2022]
    hybrid = set(late[:4])
    rest = [i for i in order if i not in hybrid]
    narrative_only, no_statistics = set(rest[:2]), set(rest[2:4])
    breaks = dict(zip(rest[4 : 4 + len(BREAKABLE)], BREAKABLE, strict=False))
    traditional = set(rng.sample(range(n), max(1, n // 5)))
    renderings = (list(RENDERINGS) * (n // len(RENDERINGS) + 1))[:n]
    rng.shuffle(renderings)
    plan = []
    for i in range(n):
        kind = "tables"
        if i in narrative_only:
            kind = "narrative_only"
        elif i in no_statistics:
            kind = "no_statistics"
        plan.append(
            {
                "hybrid": i in hybrid,
                "kind": kind,
                "break_identity": breaks.get(i),
                "rendering": renderings[i],
                "script": "traditional" if i in traditional else "simplified",
            }
        )
    return plan


def build_sample(dest: Path, n: int = 72, seed: int = 20240101) -> list[dict]:
    """Write the sample corpus to `dest` (see the module docstring); returns the truths."""
    rng = random.Random(seed)
    slots = _slots(rng, n)
    plan = _plan(rng, slots)
    reports = dest / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    for old in reports.iterdir():
        if old.is_file():
            old.unlink()

    truths: list[dict] = []
    catalog: list[dict] = []
    last_forward: dict[str, dict[str, int]] = {}
    for i, ((agency, year), features) in enumerate(zip(slots, plan, strict=True)):
        proactive_v, applications_v = _templates(year, features["hybrid"])
        truth = make_report(
            random.Random(f"{seed}/{i}/truth"),
            agency=agency.name,
            level=agency.level,
            year=year,
            template_proactive=proactive_v,
            template_applications=applications_v,
            break_identity=features["break_identity"],
            kind=features["kind"],
            scale=agency.scale,
            carried_over=last_forward.pop(agency.name, None),
        )
        if "applications" in truth:
            forward = truth["applications"]["carried_forward"]
            last_forward[agency.name] = {c: forward[c] or 0 for c in APPLICANT_PARTS}
        text, ext = render(
            truth, features["rendering"], features["script"], random.Random(f"{seed}/{i}/doc")
        )
        name = f"{i:03d}_{agency.region_code}_{year}.{ext}"
        (reports / name).write_text(text, encoding="utf-8", newline="\n")
        url = f"reports/{name}"
        truth = {
            **truth,
            "file": url,
            "rendering": features["rendering"],
            "script": features["script"],
        }
        truths.append(truth)
        catalog.append(
            {
                "url": url,
                "agency": agency.name,
                "region_code": agency.region_code,
                "level": agency.level,
                "year": year,
            }
        )

    with (dest / "catalog.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["url", "agency", "region_code", "level", "year"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(catalog)
    with (dest / "truth.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for truth in truths:
            fh.write(json.dumps(truth, ensure_ascii=False) + "\n")
    return truths


def main() -> None:
    truths = build_sample(SAMPLE_DIR)
    print(f"wrote {len(truths)} reports to {SAMPLE_DIR}")


if __name__ == "__main__":
    main()
