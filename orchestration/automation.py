"""When the warehouse refreshes by itself: two schedules and a sensor, all off by default.

Reports on year Y are published in Y+1: agencies' by 31 January, governments' by 31 March, late
ones all year. So the schedules refresh the year being published (`year_being_published`):

* `publishing_season_daily`: every day at 06:00 (Asia/Shanghai), January to March;
* `off_season_weekly`: every Monday at 06:00, April to December.

`catalog_changed` looks at the catalog file every minute and starts a `refresh_year` run for
each year partition whose entries were added, removed or edited since it last looked (the
first look only records the catalog). A catalog that cannot be read whole starts nothing.

Turn them on in the UI (Automation) or with `dagster schedule start` / `dagster sensor start`;
they run while the Dagster daemon does (`dagster dev` starts one).
"""

from __future__ import annotations

import json
from datetime import date

import dagster as dg

from ingest.catalog import read_catalog
from ingest.partitions import partition_digests, year_being_published
from orchestration.jobs import refresh_year_job
from orchestration.partitions import KEYS
from orchestration.resources import WarehouseResource

TIMEZONE = "Asia/Shanghai"
TRIGGER_TAG = "ogi/trigger"


def refresh_request(day: date, trigger: str) -> dg.RunRequest | dg.SkipReason:
    """A run of `refresh_year` for the year whose reports are being published on `day`."""
    key = str(year_being_published(day))
    if key not in KEYS:
        return dg.SkipReason(f"year {key} is not a partition ({KEYS[0]}..{KEYS[-1]})")
    return dg.RunRequest(partition_key=key, tags={TRIGGER_TAG: trigger})


def refresh_schedule(name: str, cron: str, description: str) -> dg.ScheduleDefinition:
    """A schedule (off by default) starting `refresh_year` for the year being published."""

    @dg.schedule(
        name=name,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        job=refresh_year_job,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=description,
    )
    def schedule(context: dg.ScheduleEvaluationContext):
        when = context.scheduled_execution_time
        return refresh_request(when.date() if when is not None else date.today(), name)

    return schedule


publishing_season_daily = refresh_schedule(
    "publishing_season_daily",
    "0 6 * 1-3 *",
    "January to March, daily: refresh the year being published (last year).",
)
off_season_weekly = refresh_schedule(
    "off_season_weekly",
    "0 6 * 4-12 1",
    "April to December, Mondays: refresh last year (late and corrected reports).",
)


@dg.sensor(
    name="catalog_changed",
    job=refresh_year_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Refresh each year whose catalog entries changed.",
)
def catalog_changed(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    path = warehouse.catalog_path()
    try:
        reading = read_catalog(path)
    except FileNotFoundError:
        return dg.SkipReason(f"no catalog at {path}")
    if reading.unreadable:
        problems = "; ".join(p.message for p in reading.unreadable)
        return dg.SkipReason(f"the catalog {path} cannot be read whole: {problems}")
    digests = partition_digests(reading.entries, KEYS)
    empty = partition_digests((), KEYS)
    previous = json.loads(context.cursor) if context.cursor else None
    context.update_cursor(json.dumps(digests, sort_keys=True))
    if previous is None:
        return dg.SkipReason(
            f"recorded the catalog {path}; from now on a change starts a run of each year it touches"
        )
    changed = [k for k in KEYS if previous.get(k, empty[k]) != digests[k]]
    if not changed:
        return dg.SkipReason(f"the catalog {path} is unchanged")
    context.log.info(f"catalog changed in {', '.join(changed)}")
    return [dg.RunRequest(partition_key=k, tags={TRIGGER_TAG: "catalog_changed"}) for k in changed]


SCHEDULES = [publishing_season_daily, off_season_weekly]
SENSORS = [catalog_changed]
