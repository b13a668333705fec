"""The fetcher's rules one by one, against a real HTTP server on 127.0.0.1: private hosts,
credentials, politeness, Retry-After, size caps, decompression, the environment's limits;
listings that fail or list nothing; the catalog's schemes; `ogi fetch` with its progress bar;
the raw_reports asset's metadata."""

from __future__ import annotations

import asyncio
import gzip
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import httpx
import pyarrow.parquet as pq
import pytest

from ingest import fetch, paths
from ingest.archive import Retrieval
from ingest.catalog import parse_catalog, read_catalog, report_id
from ingest.collect import collect
from ingest.fetch import ALLOW_PRIVATE_ENV, Fetcher, FetchPolicy, retry_after_seconds
from ingest.fetch_log import log_path, log_row
from ingest.normalize import decode
from ingest.partitions import OTHER
from ingest.pipeline import ingest_catalog
from ingest.portal import Page, Portal
from ingest.store import read_table
from ingest.urls import redact
from orchestration.ingest_assets import ARCHIVE_INDEX, raw_reports
from orchestration.ingest_assets import catalog as catalog_asset
from orchestration.resources import ArchiveIndexIOManager, WarehouseResource


def fast() -> FetchPolicy:
    """Short limits; made when a test runs, so OGI_ALLOW_PRIVATE_HOSTS is read then."""
    return FetchPolicy(
        host_delay=0.0, connect_timeout=1.0, read_timeout=1.0, retries=1, backoff=0.05
    )


REPORT = "<html><body><h1>青原市2023年政府信息公开工作年度报告</h1></body></html>".encode()


@pytest.fixture
def portal() -> Portal:
    with Portal({"/a.html": Page(REPORT)}) as p:
        yield p


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")


def fetch_all(raw: Path, policy: FetchPolicy, *urls: str) -> list[Retrieval]:
    async def run() -> list[Retrieval]:
        async with Fetcher(raw, policy) as f:
            return list(await asyncio.gather(*(f.fetch(u) for u in urls)))

    return asyncio.run(run())


def test_private_hosts_are_refused_unless_allowed(
    portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    (got,) = fetch_all(tmp_path, FetchPolicy(), portal.url("/a.html"))
    assert (got.outcome, got.error_class) == ("error", "refused_host")
    assert ALLOW_PRIVATE_ENV in got.error and got.attempts == 1
    (local,) = fetch_all(tmp_path, FetchPolicy(), "http://localhost:9/x.html")
    assert local.error_class == "refused_host"
    assert portal.hits == {}  # nothing reached the server
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    (got,) = fetch_all(tmp_path, FetchPolicy(), portal.url("/a.html"))
    assert got.outcome == "ok"


def test_a_name_that_answers_a_private_address_at_connection_time_reaches_nothing(
    portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name's first answer (the check before the request) was public, the
    next one (when the connection opens) is 127.0.0.1. The connection goes only to an address
    checked when it opens, so nothing reaches the server."""
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)

    async def first_answer_was_public(self, target) -> None:
        return None

    monkeypatch.setattr(Fetcher, "_check_host", first_answer_was_public)
    by_name = portal.url("/a.html").replace("127.0.0.1", "localhost")
    got = fetch_all(tmp_path, fast(), portal.url("/a.html"), by_name)
    assert [(g.outcome, g.error_class) for g in got] == [("error", "refused_host")] * 2
    assert "127.0.0.1" in got[0].error and got[0].attempts == 1
    assert portal.hits == {}


def test_connections_go_to_the_address_that_was_checked(
    portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same path with 127.0.0.1 taken for public: the connection opens to the address the
    name resolved to and the request reaches the server, under its name."""
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.setattr(fetch, "_non_public", lambda address: None)
    by_name = portal.url("/a.html").replace("127.0.0.1", "localhost")
    (got,) = fetch_all(tmp_path, fast(), by_name)
    assert got.outcome == "ok" and Path(got.raw_path).read_bytes() == REPORT
    assert portal.hits == {"/a.html": 1}


def _localhost_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name localhost only (no address in it)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_a_checked_connection_still_verifies_tls_against_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection opens to the address the name resolved to, and TLS is checked against
    the name: a certificate for localhost only (no address in it) is accepted."""
    cert, key = _localhost_certificate(tmp_path)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hello)
    server.socket = server_side.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(fetch, "_non_public", lambda address: None)
    client_side = ssl.create_default_context(cafile=str(cert))
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def get(url: str) -> httpx.Response:
        transport = fetch._public_only_transport(client_side, limits)
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(url)

    try:
        port = server.server_address[1]
        answer = asyncio.run(get(f"https://localhost:{port}/"))
        assert (answer.status_code, answer.content) == (200, b"hello")
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED|IP address"):
            asyncio.run(get(f"https://127.0.0.1:{port}/"))  # the name is what is verified
    finally:
        server.shutdown()
        server.server_close()


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args) -> None:
        pass


def test_credentials_never_reach_the_log(portal: Portal, tmp_path: Path, allow_private) -> None:
    url = portal.url("/a.html").replace("http://", "http://reader:s3cret@") + "?token=t0psecret"
    (got,) = fetch_all(tmp_path, fast(), url)
    assert got.outcome == "ok"
    assert portal.requests_to("/a.html")[0]["authorization"].startswith("Basic ")  # sent...
    row = log_row("b", "report", got, "r")
    text = json.dumps(row, default=str)
    assert "s3cret" not in text and "t0psecret" not in text  # ...never recorded
    assert row["url"] == redact(url) and "reader:***@" in row["url"]
    (bad,) = fetch_all(tmp_path, fast(), url.replace("/a.html", "/missing.html"))
    assert "s3cret" not in (bad.error or "") + (bad.final_url or "")


def test_a_host_gets_one_request_at_a_time_with_a_delay(
    portal: Portal, tmp_path: Path, allow_private
) -> None:
    polite = FetchPolicy(per_host=1, host_delay=0.3, read_timeout=2.0)
    t0 = time.monotonic()
    got = fetch_all(tmp_path, polite, *(portal.url("/a.html") for _ in range(3)))
    assert all(g.outcome == "ok" for g in got)
    assert time.monotonic() - t0 >= 0.6  # three starts, 0.3 s apart
    lifted = polite.lifted()
    assert (lifted.per_host, lifted.host_delay) == (polite.concurrency, 0.0)


def test_a_long_retry_after_gives_up(tmp_path: Path, allow_private) -> None:
    pages = {"/busy.html": Page(REPORT, fail_first=5, fail_status=503, retry_after="3600")}
    with Portal(pages) as p:
        (got,) = fetch_all(tmp_path, fast(), p.url("/busy.html"))
    assert (got.error_class, got.http_status, got.attempts) == ("http_503", 503, 1)
    assert "Retry-After 3600" in got.error


def test_retry_after_as_a_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Wed, 01 May 2024 08:00:30 GMT", now) == 30.0
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("soon") is None


def test_size_caps_and_decompression(tmp_path: Path, allow_private) -> None:
    body = "<p>政府信息公开</p>".encode() * 2000
    pages = {
        "/declared.html": Page(b"x" * 4096, repeat=300),  # Content-Length over the cap
        "/gzip.html": Page(body, gzip=True),
        "/bomb.html": Page(b"\0" * 65536, repeat=64, gzip=True),  # 4 MB from ~4 kB
        "/bad.html": Page(b"not gzip at all", headers={"Content-Encoding": "gzip"}),
        "/br.html": Page(b"??", headers={"Content-Encoding": "br"}),
    }
    policy = FetchPolicy(max_bytes=1024 * 1024, retries=0, read_timeout=2.0)
    with Portal(pages) as p:
        declared, gz, bomb, bad, br = fetch_all(tmp_path, policy, *map(p.url, pages))
    assert (declared.error_class, declared.attempts) == ("too_large", 1)
    assert "Content-Length" in declared.error
    assert gz.outcome == "ok" and Path(gz.raw_path).read_bytes() == body  # archived decoded
    assert gz.bytes == len(body) and len(gzip.compress(body)) < gz.bytes
    assert bomb.error_class == "too_large"
    assert (bad.error_class, br.error_class) == ("bad_encoding", "bad_encoding")
    leftovers = [x for x in tmp_path.rglob("*") if x.is_file() and x.name.endswith(".tmp")]
    assert leftovers == [] and [x.name for x in tmp_path.rglob("*") if x.is_file()] == [gz.sha256]


def test_policy_from_the_environment() -> None:
    policy = FetchPolicy.from_env({"OGI_FETCH_CONCURRENCY": "3", "OGI_FETCH_TIMEOUT": "2.5"})
    assert (policy.concurrency, policy.read_timeout, policy.connect_timeout) == (3, 2.5, 2.5)
    with pytest.raises(ValueError, match="OGI_FETCH_RETRIES"):
        FetchPolicy.from_env({"OGI_FETCH_RETRIES": "many"})


def test_declared_charset_and_mislabelled_pages() -> None:
    text = "政府信息公开工作年度报告"
    assert decode(text.encode("gbk"), "GB2312") == (text, "gb18030")
    assert decode(text.encode("utf-8"), "gbk") == (text, "utf-8")  # a UTF-8 page labelled GBK
    meta = f'<meta charset="gb2312"><p>{text}</p>'
    assert decode(meta.encode("utf-8"))[0] == meta


def test_catalog_refuses_other_schemes(tmp_path: Path) -> None:
    text = (
        "url,agency,kind\n"
        "ftp://gov.cn/a.html,甲局,\n"
        "javascript:alert(1),甲局,\n"
        "reports/index.html,甲局,listing\n"
        "https://www.gov.cn/ndbg/,甲局,listing\n"
    )
    reading = parse_catalog(text, tmp_path)
    assert [(p.line, p.code) for p in reading.errors] == [
        (2, "bad_scheme"),
        (3, "bad_scheme"),
        (4, "listing_not_remote"),
    ]
    (listing,) = reading.entries
    assert listing.is_listing and not listing.is_local


def test_listings_that_fail_or_list_nothing_are_error_rows(
    tmp_path: Path, warehouse: Path, allow_private, catalog_writer
) -> None:
    report = (
        "<a href='/r/2023.html'>青原市2023年政府信息公开工作年度报告</a>"
        "<a href='/r/jyj2023.html'>青原市教育局2023年政府信息公开工作年度报告</a>"
    )
    pages = {
        "/empty/index.html": Page(b"<html><body><a href='/x.html'>news</a></body></html>"),
        "/ndbg/index.html": Page(REPORT),  # a 404 in the first run
        "/r/2023.html": Page(REPORT),
    }
    with Portal(pages) as p:
        listed = p.pages.pop("/ndbg/index.html")
        rows = [
            {"url": p.url("/empty/index.html"), "kind": "listing"},
            {"url": p.url("/ndbg/index.html"), "kind": "listing", "year": 2023}
            | {"agency": "青原市人民政府", "level": "city", "region_code": "250100"},
        ]
        catalog = catalog_writer(tmp_path / "catalog.csv", rows)
        ingest_catalog(catalog, policy=fast())
        reports = {r["source"]: r for r in read_table(paths.parquet_dir(), "reports").to_pylist()}
        assert reports[p.url("/empty/index.html")]["fetch_error"] == "no_reports_found"
        assert reports[p.url("/ndbg/index.html")]["fetch_error"] == "http_404"
        listed.body = report.encode()
        p.pages["/ndbg/index.html"] = listed  # the column comes back
        ingest_catalog(catalog, policy=fast())
        reports = {r["source"]: r for r in read_table(paths.parquet_dir(), "reports").to_pylist()}
        assert p.url("/ndbg/index.html") not in reports  # retired: it lists reports now
        assert reports[p.url("/r/2023.html")]["linked_from"] == p.url("/ndbg/index.html")
        own, department = reports[p.url("/r/2023.html")], reports[p.url("/r/jyj2023.html")]
        assert (own["catalog_agency"], own["catalog_level"], own["catalog_year"]) == (
            "青原市人民政府",
            "city",
            2023,
        )
        # a department's report on the government's column is the department's
        assert (department["catalog_agency"], department["catalog_level"]) == ("青原市教育局", None)
        assert department["catalog_region_code"] == "250100"


def test_ogi_fetch_draws_a_progress_bar(portal: Portal, tmp_path: Path, catalog_writer) -> None:
    catalog = catalog_writer(
        tmp_path / "catalog.csv", [{"url": portal.url("/a.html")}, {"url": portal.url("/b.html")}]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "DAGSTER_"))}
    env |= {"OGI_WAREHOUSE_DIR": str(tmp_path / "wh"), ALLOW_PRIVATE_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "fetch", str(catalog), "--progress"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    summary = json.loads(out.stdout)
    assert (summary["archived"], summary["fetch_errors"]) == (1, 1)
    assert summary["failures"] == {"http_404": 1}
    assert "2/2" in out.stderr and "fetch" in out.stderr  # the bar, on stderr
    assert pq.read_metadata(tmp_path / "wh" / "parquet" / "fetch_log.parquet").num_rows == 2


def test_raw_reports_asset_reports_counts_and_failures(
    portal: Portal, tmp_path: Path, allow_private, catalog_writer
) -> None:
    rows = [{"url": portal.url("/a.html")}, {"url": portal.url("/gone.html")}]
    catalog = catalog_writer(tmp_path / "catalog.csv", rows)
    resource = WarehouseResource(
        catalog=str(catalog),
        raw_dir=str(tmp_path / "raw"),
        parquet_dir=str(tmp_path / "parquet"),
    )
    result = dg.materialize(
        [catalog_asset, raw_reports],
        partition_key=OTHER,
        resources={
            "warehouse": resource,
            ARCHIVE_INDEX: ArchiveIndexIOManager(directory=str(tmp_path / "index")),
        },
    )
    meta = next(
        e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == raw_reports.key
    )
    assert meta["archived"].value == 1 and meta["fetch_errors"].value == 1
    assert meta["failures/http_404"].value == 1
    assert "gone.html" in meta["failures"].value
    assert Path(meta["fetch_log"].value) == log_path(tmp_path / "parquet")


def test_collect_starts_without_a_log_or_tables(
    tmp_path: Path, portal: Portal, allow_private
) -> None:
    catalog = tmp_path / "c.csv"
    catalog.write_text(f"url\n{portal.url('/a.html')}\n", encoding="utf-8")
    collected = collect(read_catalog(catalog).entries, tmp_path / "raw", tmp_path / "pq", fast())
    (a,) = collected.reports
    assert a.ok and a.entry.report_id == report_id(portal.url("/a.html"))
    assert collected.log_rows == 1 and collected.retired == ()
