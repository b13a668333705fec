"""What documents the warehouse: the dbt YAML (every model and column in Chinese and English
terms), `make docs`, and the README's example queries, run against the sample warehouse."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.data_dictionary import mart_docs, model_docs, source_docs

REPO = Path(__file__).resolve().parents[1]
QUERIES = sorted((REPO / "docs" / "queries").glob("*.sql"))
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


def test_every_model_and_column_is_described_in_chinese_and_english() -> None:
    docs = {**model_docs(), **source_docs()}
    sql_models = {p.stem for p in (REPO / "dbt_project" / "models").rglob("*.sql")}
    assert sql_models == set(model_docs())  # no model without YAML, no YAML without a model
    missing = [
        f"{doc.yaml_path.name}: {doc.name}{'.' + column if column else ''}: {text!r}"
        for doc in docs.values()
        for column, text in [("", doc.description), *doc.columns]
        if not (CJK.search(text) and LATIN.search(text))
    ]
    assert missing == []
    assert all(doc.columns for doc in docs.values())


def test_yaml_lists_every_column_of_every_model(sample_runs) -> None:
    with duckdb.connect(str(sample_runs.duckdb_path), read_only=True) as con:
        built: dict[str, set[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'main'"
        ).fetchall():
            built.setdefault(table, set()).add(column)
    for doc in model_docs().values():
        assert {c for c, _ in doc.columns} == built[doc.name], doc.name


def test_make_docs_writes_the_static_site(sample_runs, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "MAKE"))}
    env["OGI_DUCKDB_PATH"] = str(sample_runs.duckdb_path)
    proc = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",  # the environment running the tests is the one to use
            "docs",
            f"BIN={Path(sys.executable).parent}",
            f"DOCS_DIR={tmp_path / 'docs'}",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    site = tmp_path / "docs" / "static_index.html"
    assert f"dbt docs: {site}" in proc.stdout
    html = site.read_text(encoding="utf-8")
    for mart in mart_docs():
        assert f"model.ogi.{mart.name}" in html
        # each column's description (JSON-escaped in the page) and its type from the warehouse
        for _, description in mart.columns:
            assert json.dumps(description)[1:-1] in html, (mart.name, description)
    assert '"type": "VARCHAR"' in html


def test_readme_links_the_table_docs_and_quotes_every_query() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for mart in mart_docs():
        assert f"(warehouse/docs/static_index.html#!/model/model.ogi.{mart.name})" in readme
    assert len(QUERIES) >= 3
    for query in QUERIES:
        assert query.read_text(encoding="utf-8").strip() in readme, query.name
        assert f"docs/queries/{query.name}" in readme


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_returns_rows_on_the_sample(sample_runs, query: Path) -> None:
    with duckdb.connect(str(sample_runs.duckdb_path), read_only=True) as con:
        rows = con.sql(query.read_text(encoding="utf-8")).fetchall()
    assert rows
