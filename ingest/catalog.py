"""The catalog: which reports to ingest, and what is known about each before parsing it.

A catalog is a UTF-8 CSV with a header row. Columns:

  url          required: an http(s) URL, a file:// URL, or a local path. A relative path is
               taken relative to the directory of the catalog file. Other schemes (ftp:,
               javascript:, data: ...) are refused.
  agency       the publishing agency, as the catalog curator knows it
  region_code  the 6-digit administrative division code (行政区划代码) of the agency
  level        province | city | county | township | department
  year         the reporting year (the year the statistics are about, not the publication year)
  kind         optional: "listing" for a page that lists reports (a 政府信息公开年报 column,
               followed by ingest.discover); other values are free text kept with the entry
               (for example "aggregate" for a government's overall report)

Reading never raises on bad content: a malformed row becomes an error `CatalogProblem` (with its
line number) and is left out; a row repeating an earlier report becomes a warning and is left
out. Only a missing catalog file raises.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from ingest.urls import FETCHED_SCHEMES, scheme_of

LEVELS: tuple[str, ...] = ("province", "city", "county", "township", "department")
# The Regulations on Open Government Information took effect in 2008: no earlier annual reports.
FIRST_YEAR, LAST_YEAR = 2008, 2100

COLUMNS: tuple[str, ...] = ("url", "agency", "region_code", "level", "year", "kind")
REQUIRED_COLUMNS: tuple[str, ...] = ("url",)

LISTING = "listing"
# Problems that leave the entries incomplete (the file as a whole could not be read): a run
# must not take such a reading for the list of reports that exist.
UNREADABLE: frozenset[str] = frozenset({"not_utf8", "missing_column", "bad_csv"})

_REGION_CODE = re.compile(r"^[0-9]{6}$")
_YEAR = re.compile(r"^[0-9]{4}$")


def report_id(source: str) -> str:
    """Stable identity of a report: the first 16 hex digits of sha256(source as given)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One report to ingest. `source` is the url column as given; `location` is where to read it."""

    source: str
    location: str  # absolute local path, or the URL itself
    is_local: bool
    line: int
    agency: str | None = None
    region_code: str | None = None
    level: str | None = None
    year: int | None = None
    kind: str | None = None
    linked_from: str | None = None  # the listing page or article a discovered entry came from

    @property
    def report_id(self) -> str:
        return report_id(self.source)

    @property
    def is_listing(self) -> bool:
        return (self.kind or "").lower() == LISTING


@dataclass(frozen=True)
class CatalogProblem:
    """A catalog row that was left out (severity error) or is suspicious (severity warning)."""

    line: int
    severity: str  # error | warning
    code: str
    message: str
    source: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CatalogReading:
    """The validated entries of a catalog file and the problems found reading it."""

    path: str
    entries: tuple[CatalogEntry, ...]
    problems: tuple[CatalogProblem, ...] = field(default=())

    @property
    def errors(self) -> tuple[CatalogProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[CatalogProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def unreadable(self) -> tuple[CatalogProblem, ...]:
        """The problems that make the entries an incomplete list (see UNREADABLE)."""
        return tuple(p for p in self.problems if p.code in UNREADABLE)


def resolve_location(
    source: str, base_dir: Path, directories: dict[str, str] | None = None
) -> tuple[str, bool]:
    """Where to read `source` from: (absolute path or URL, is_local). A URL of a scheme other
    than http, https and file is returned as it is, not local (the caller refuses it).
    `directories`: the directories resolved so far, when many paths are resolved."""
    scheme = scheme_of(source)
    if scheme == "file":
        return _resolved(Path(unquote(urlparse(source).path)), directories), True
    if scheme is not None:
        return source, False
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    return _resolved(path, directories), True


def _resolved(path: Path, directories: dict[str, str] | None) -> str:
    """`path.resolve()`, its directory resolved once per `directories` (a symbolic link as the
    file itself is still followed): one system call a file instead of one per path part."""
    if directories is None or path.name in ("", ".", ".."):
        return str(path.resolve())
    parent = str(path.parent)
    real = directories.get(parent)
    if real is None:
        real = directories[parent] = str(path.parent.resolve())
    candidate = os.path.join(real, path.name)
    return str(Path(candidate).resolve()) if os.path.islink(candidate) else candidate


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_row(
    row: dict[str, str | None],
    line: int,
    base_dir: Path,
    directories: dict[str, str] | None = None,
) -> CatalogEntry | CatalogProblem:
    """Validate one CSV row into an entry, or describe why it cannot be one (`directories`:
    see `resolve_location`)."""
    if row.get(None):  # type: ignore[call-overload]  # csv puts surplus fields under None
        return CatalogProblem(
            line, "error", "too_many_fields", "row has more fields than the header"
        )
    values = {k: _blank_to_none(v) for k, v in row.items() if k is not None}
    source = values.get("url")
    if source is None:
        return CatalogProblem(line, "error", "missing_url", "the url column is empty")

    def bad(code: str, message: str) -> CatalogProblem:
        return CatalogProblem(line, "error", code, message, source)

    region_code = values.get("region_code")
    if region_code is not None and not _REGION_CODE.match(region_code):
        return bad("bad_region_code", f"region_code {region_code!r} is not 6 digits")
    level = values.get("level")
    if level is not None:
        level = level.lower()
        if level not in LEVELS:
            return bad("bad_level", f"level {level!r} is not one of {', '.join(LEVELS)}")
    year_text = values.get("year")
    year = None
    if year_text is not None:
        if not _YEAR.match(year_text) or not FIRST_YEAR <= int(year_text) <= LAST_YEAR:
            return bad("bad_year", f"year {year_text!r} is not a year {FIRST_YEAR}-{LAST_YEAR}")
        year = int(year_text)
    scheme = scheme_of(source)
    if scheme is not None and scheme != "file" and scheme not in FETCHED_SCHEMES:
        return bad("bad_scheme", f"scheme {scheme!r} refused: only http, https and local files")
    location, is_local = resolve_location(source, base_dir, directories)
    kind = values.get("kind")
    if (kind or "").lower() == LISTING and is_local:
        return bad("listing_not_remote", "a listing page must be an http(s) URL")
    return CatalogEntry(
        source=source,
        location=location,
        is_local=is_local,
        line=line,
        agency=values.get("agency"),
        region_code=region_code,
        level=level,
        year=year,
        kind=kind,
    )


def parse_catalog(text: str, base_dir: Path, path: str = "<catalog>") -> CatalogReading:
    """Validate catalog CSV text; relative paths resolve against `base_dir`."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problem = CatalogProblem(
            1, "error", "missing_column", f"the header lacks column(s): {', '.join(missing)}"
        )
        return CatalogReading(path, (), (problem,))
    reader.fieldnames = header
    entries: list[CatalogEntry] = []
    problems: list[CatalogProblem] = []
    seen: dict[str, int] = {}
    directories: dict[str, str] = {}
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(
                CatalogProblem(reader.line_num, "error", "bad_csv", f"unreadable CSV: {exc}")
            )
            break
        line = reader.line_num
        if not any((v or "").strip() for k, v in row.items() if k is not None):
            continue
        parsed = parse_row(row, line, base_dir, directories)
        if isinstance(parsed, CatalogProblem):
            problems.append(parsed)
            continue
        first = seen.get(parsed.location)
        if first is not None:
            problems.append(
                CatalogProblem(
                    line,
                    "warning",
                    "duplicate_url",
                    f"same report as line {first}; left out",
                    parsed.source,
                )
            )
            continue
        seen[parsed.location] = line
        entries.append(parsed)
    return CatalogReading(path, tuple(entries), tuple(problems))


def read_catalog(path: str | Path) -> CatalogReading:
    """Read and validate a catalog file. Raises FileNotFoundError only if it does not exist."""
    path = Path(path).resolve()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = CatalogProblem(0, "error", "not_utf8", f"the catalog is not UTF-8: {exc}")
        return CatalogReading(str(path), (), (problem,))
    return parse_catalog(text, path.parent, str(path))
