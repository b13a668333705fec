"""The parser's compiled modules (ingest.compiled): loaded only while they match their source,
and parsing exactly as the source does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ingest
from ingest import compiled
from ingest.accuracy import synthesize
from ingest.parse import parse_document
from ingest.render import ALL_RENDERINGS

PACKAGE_DIR = Path(ingest.__file__).resolve().parent
BUILT = compiled.current()
needs_build = pytest.mark.skipif(
    not BUILT,
    reason="the parser is not compiled here (no C compiler or Cython at install): plain Python",
)

# a process that reports which of the package's modules run compiled
_REPORT = (
    "import json, ingest.parse, ingest.store, ingest.compiled as c; print(json.dumps(c.in_use()))"
)


def _in_use(pythonpath: Path | None = None, **env: str) -> list[str]:
    environ = {**os.environ, **env}
    if pythonpath is not None:
        environ["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run(
        [sys.executable, "-c", _REPORT],
        env=environ,
        cwd=pythonpath or PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@needs_build
def test_every_compiled_module_is_current_and_loaded():
    assert sorted(BUILT) == sorted(compiled.MODULES)
    assert _in_use() == sorted(compiled.MODULES)


@needs_build
def test_pure_python_on_request():
    assert _in_use(**{compiled.PURE_PYTHON_ENV: "1"}) == []


@needs_build
def test_an_edited_module_runs_from_its_source(tmp_path):
    """A compiled file built from an older source is never loaded: the edited module runs from
    its source, the others stay compiled."""
    copy = tmp_path / "ingest"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    source = copy / "values.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    in_use = _in_use(tmp_path)
    assert "values" not in in_use
    assert "parse" in in_use and "store" in in_use


def test_without_a_manifest_everything_runs_from_source(tmp_path):
    copy = tmp_path / "ingest"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    (copy / compiled.MANIFEST).unlink(missing_ok=True)
    assert _in_use(tmp_path) == []


_PARSE_FROM_SOURCE = """
import json, sys
from ingest.parse import parse_document
for line in sys.stdin:
    name, data = json.loads(line)
    print(json.dumps(parse_document(data.encode("latin-1"), name), sort_keys=True, default=repr))
"""


@needs_build
def test_compiled_and_source_parse_alike():
    """Reports of every rendering and script, parsed by the compiled modules here and from
    source in another process: the same results, value types included (a compiled module must
    not turn an int into a float)."""
    docs = []
    for index in range(4 * len(ALL_RENDERINGS)):
        _truth, data, name = synthesize(11, index, ALL_RENDERINGS)
        docs.append((name, data))
    here = [
        json.dumps(parse_document(data, name), sort_keys=True, default=repr) for name, data in docs
    ]
    out = subprocess.run(
        [sys.executable, "-c", _PARSE_FROM_SOURCE],
        input="".join(json.dumps([n, d.decode("latin-1")]) + "\n" for n, d in docs),
        env={**os.environ, compiled.PURE_PYTHON_ENV: "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    there = out.stdout.splitlines()
    assert len(there) == len(here)
    for (name, _data), a, b in zip(docs, here, there, strict=True):
        assert a == b, name


def test_any_buffer_of_bytes_parses_alike():
    """Compiled code checks the types its annotations name: the entry point takes any buffer
    (bytearray, memoryview) as the plain source does, and parses it as the same bytes."""
    _truth, data, name = synthesize(3, 0, ALL_RENDERINGS)
    expected = parse_document(data, name)
    assert parse_document(bytearray(data), name) == expected
    assert parse_document(memoryview(data), name) == expected
