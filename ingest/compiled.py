"""The parser's modules compiled to C (Cython), used only while they match their source.

The modules every report passes through (`MODULES`) are plain Python; `setup.py` also compiles
them with Cython when it can (a C compiler is at hand), which makes a parse about a fifth
faster. The build records the SHA-256 of each source it compiled in `_compiled.json` beside
the compiled files. At import, a compiled module is loaded only if its source is unchanged
since the build; an edited module (or `OGI_PURE_PYTHON=1`) is imported from its source, so a
compiled file never runs code that is no longer in the source.

This file imports nothing of the package: `setup.py` reads `MODULES` from it before the
package is built.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path

PACKAGE = "ingest"
# compiled when a C compiler is at hand: the modules each report's parse and write runs through
MODULES = (
    "checks",
    "digits",
    "documents",
    "labels",
    "memo",
    "narrative",
    "normalize",
    "parse",
    "placement",
    "store",
    "tables",
    "tw2sp",
    "undecided",
    "values",
)
MANIFEST = "_compiled.json"  # {module: SHA-256 of the source it was compiled from}
PURE_PYTHON_ENV = "OGI_PURE_PYTHON"  # set to 1: import every module from its source

_HERE = Path(__file__).resolve().parent


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _compiled_file(name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = _HERE / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def current() -> dict[str, str]:
    """The compiled modules that match their source: {module: compiled file}."""
    try:
        built = json.loads((_HERE / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for name, digest in built.items():
        compiled = _compiled_file(name) if name in MODULES else None
        source = _HERE / f"{name}.py"
        if compiled is not None and source.exists() and source_digest(source) == digest:
            out[name] = str(compiled)
    return out


class _CompiledLoader(importlib.machinery.ExtensionFileLoader):
    """Loads a compiled module; its code object (`python -m ingest.parse` runs a module from
    its code) is the source's, as the compiled file has none."""

    def __init__(self, fullname: str, path: str, source: Path) -> None:
        super().__init__(fullname, path)
        self.source = importlib.machinery.SourceFileLoader(fullname, str(source))

    def get_code(self, fullname: str):
        return self.source.get_code(fullname)

    def get_source(self, fullname: str):
        return self.source.get_source(fullname)


class _Finder:
    """Finds the modules of `MODULES`: compiled when current, else from source (where the
    default finder would take any compiled file it sees, stale or not)."""

    def __init__(self, compiled: dict[str, str]) -> None:
        self.compiled = compiled

    def find_spec(self, fullname: str, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package != PACKAGE or name not in MODULES:
            return None
        if name in self.compiled:
            loader = _CompiledLoader(fullname, self.compiled[name], _HERE / f"{name}.py")
            return importlib.util.spec_from_file_location(
                fullname, self.compiled[name], loader=loader
            )
        return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")


_finder: _Finder | None = None


def install() -> None:
    """Put the finder first on the import path (once); the package's __init__ calls this."""
    global _finder
    if _finder is not None:
        return
    pure = os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0")
    _finder = _Finder({} if pure else current())
    sys.meta_path.insert(0, _finder)


def loaded() -> dict:
    """The modules of `MODULES` imported in this process, compiled or not: {name: module}."""
    return {
        name: module
        for name in MODULES
        if (module := sys.modules.get(f"{PACKAGE}.{name}")) is not None
    }


def in_use() -> list[str]:
    """The modules of the package running compiled code in this process."""
    return sorted(
        name
        for name, module in loaded().items()
        if not str(getattr(module, "__file__", "")).endswith(".py")
    )
