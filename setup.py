"""Builds the package; compiles the parser's modules (ingest/compiled.py) with Cython when a C
compiler is at hand. Without one, or if any compile fails, the package installs as plain Python
and runs the same, slower. Project metadata is in pyproject.toml."""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
_compiled = runpy.run_path(str(ROOT / "ingest" / "compiled.py"))
PACKAGE, MODULES, MANIFEST = _compiled["PACKAGE"], _compiled["MODULES"], _compiled["MANIFEST"]


def _extensions() -> list:
    if os.environ.get(_compiled["PURE_PYTHON_ENV"], "") not in ("", "0"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("Cython is not installed: the parser installs as plain Python", file=sys.stderr)
        return []
    sources = [f"{PACKAGE}/{name}.py" for name in MODULES]
    # language_level 3: Python 3 semantics; binding: functions keep their Python attributes
    # (functools.wraps, lru_cache, introspection) as in the source
    directives = {"language_level": 3, "binding": True}
    try:
        return cythonize(sources, compiler_directives=directives, nthreads=os.cpu_count() or 1)
    except Exception as exc:  # noqa: BLE001 - plain Python runs the same, slower
        print(f"Cython could not translate the parser ({exc}): plain Python", file=sys.stderr)
        return []


class OptionalBuildExt(build_ext):
    """Compiles what it can; records the digest of each compiled module's source, the
    manifest that ingest.compiled checks before loading a compiled module."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - no compiler: plain Python, same results
            print(
                f"compiling the parser failed ({exc}); it installs as plain Python", file=sys.stderr
            )
            return
        names = [ext.name.rpartition(".")[2] for ext in self.extensions]
        built = {name: _compiled["source_digest"](ROOT / PACKAGE / f"{name}.py") for name in names}
        # beside the compiled files: the source tree (in place, editable) and the build tree
        places = {ROOT / PACKAGE, Path(self.get_ext_fullpath(f"{PACKAGE}.x")).parent}
        for place in places:
            if place.is_dir():
                (place / MANIFEST).write_text(json.dumps(built, indent=1, sort_keys=True) + "\n")


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
