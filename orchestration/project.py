"""The dbt project, its CLI, and the manifest the asset graph is built from.

`@dbt_assets` reads `target/manifest.json` when the definitions are loaded. dagster-dbt's own
`DbtProject.prepare_if_dev()` parses the project only under `dagster dev`, and with whatever
`dbt` is first on PATH; here the manifest is (re)built at load time whenever it is missing or
older than a file of the project, with the `dbt` installed beside the running Python, so
`python -m orchestration.run`, `dagster definitions validate` and the tests all find it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from ingest import paths
from ingest.locking import exclusive

# Files whose change alters the manifest.
_PROJECT_SUFFIXES = frozenset({".sql", ".yml", ".yaml", ".csv", ".md", ".py"})
# Directories dbt writes into (or installs packages into): never inputs of the manifest.
_GENERATED_DIRS = frozenset({"target", "logs", "dbt_packages"})


def dbt_executable() -> str:
    """The `dbt` of this environment (beside sys.executable) when there is one, else PATH's."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block (dbt runs as a subprocess and
    reads its locations from the environment), restoring the previous values afterwards."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _project_files(project_dir: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(project_dir):
        dirs[:] = [d for d in dirs if d not in _GENERATED_DIRS and not d.startswith(".")]
        for name in files:
            if Path(name).suffix in _PROJECT_SUFFIXES:
                yield Path(root, name)


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any source file of the project."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(f.stat().st_mtime > built for f in _project_files(project.project_dir))


def prepare_manifest(project: DbtProject, force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or stale (or always, with `force`)."""
    if not force and not manifest_is_stale(project):
        return project.manifest_path
    target = project.project_dir / project.target_path
    with exclusive(target / ".manifest.lock"):
        if force or manifest_is_stale(project):
            cli = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
            with environment(paths.dbt_env()):
                cli.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path


def load_project() -> DbtProject:
    """The dbt project at DBT_PROJECT_DIR (default <repo>/dbt_project), its manifest ready."""
    project = DbtProject(project_dir=paths.dbt_project_dir())
    prepare_manifest(project)
    return project


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
