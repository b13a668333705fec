"""Named points where a run can be made to die, to test that a crash loses nothing.

With OGI_CRASH_AT=<stage> in the environment, the process exits at once (os._exit, no cleanup,
as if killed) the first time it reaches that stage. The stages:

* `fetch`    a report's bytes were read and archived
* `parse`    a report was parsed, nothing written yet
* `parquet`  a Parquet table was written to its temporary file, not yet renamed into place
* `dbt`      dbt built and tested the build file, not yet published

Without the variable a crash point costs one environment lookup.
"""

from __future__ import annotations

import os

CRASH_ENV = "OGI_CRASH_AT"
STAGES = ("fetch", "parse", "parquet", "dbt")
CRASH_EXIT = 75


def crash_point(stage: str) -> None:
    """Exit the process here when OGI_CRASH_AT names `stage`."""
    if os.environ.get(CRASH_ENV) == stage:
        os._exit(CRASH_EXIT)
