"""The schedules and the catalog sensor, evaluated as the daemon evaluates them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.automation import (
    TIMEZONE,
    catalog_changed,
    off_season_weekly,
    publishing_season_daily,
)
from orchestration.definitions import defs
from orchestration.partitions import KEYS
from orchestration.resources import WarehouseResource

SHANGHAI = ZoneInfo(TIMEZONE)
REPOSITORY = defs.get_repository_def()


def test_all_off_by_default_and_registered() -> None:
    for schedule in (publishing_season_daily, off_season_weekly):
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
        assert defs.resolve_schedule_def(schedule.name).job_name == "refresh_year"
    assert catalog_changed.default_status == dg.DefaultSensorStatus.STOPPED
    assert defs.resolve_sensor_def("catalog_changed").job_name == "refresh_year"


def test_daily_in_the_publishing_season_weekly_otherwise() -> None:
    assert publishing_season_daily.cron_schedule == "0 6 * 1-3 *"
    assert off_season_weekly.cron_schedule == "0 6 * 4-12 1"
    assert publishing_season_daily.execution_timezone == TIMEZONE


@pytest.mark.parametrize(
    ("schedule", "when", "year"),
    [
        (publishing_season_daily, datetime(2025, 1, 31, 6, tzinfo=SHANGHAI), "2024"),
        (publishing_season_daily, datetime(2025, 3, 31, 6, tzinfo=SHANGHAI), "2024"),
        (off_season_weekly, datetime(2024, 9, 2, 6, tzinfo=SHANGHAI), "2023"),
    ],
)
def test_schedules_refresh_the_year_being_published(schedule, when, year) -> None:
    (request,) = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=when, repository_def=REPOSITORY)
    ).run_requests
    assert request.partition_key == year
    assert request.tags["ogi/trigger"] == schedule.name


def test_a_year_before_the_partitions_is_skipped() -> None:
    result = publishing_season_daily.evaluate_tick(
        dg.build_schedule_context(
            scheduled_execution_time=datetime(2019, 2, 1, tzinfo=SHANGHAI),
            repository_def=REPOSITORY,
        )
    )
    assert not result.run_requests and "2018 is not a partition" in result.skip_message


def _tick(catalog: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor,
        resources={"warehouse": WarehouseResource(catalog=str(catalog))},
        repository_def=REPOSITORY,
    )
    return catalog_changed.evaluate_tick(context)


def test_the_sensor_starts_a_run_per_changed_year(tmp_path: Path, catalog_writer) -> None:
    catalog = tmp_path / "catalog.csv"
    rows = [
        {"url": "a.html", "year": 2020},
        {"url": "b.html", "year": 2021},
        {"url": "c.html"},
    ]
    catalog_writer(catalog, rows)

    first = _tick(catalog, None)
    assert not first.run_requests and "recorded" in first.skip_message
    unchanged = _tick(catalog, first.cursor)
    assert not unchanged.run_requests and "unchanged" in unchanged.skip_message

    catalog_writer(catalog, [{"url": "a.html", "year": 2020, "agency": "甲局"}, rows[2]])
    changed = _tick(catalog, unchanged.cursor)
    assert sorted(r.partition_key for r in changed.run_requests) == ["2020", "2021"]
    assert {r.tags["ogi/trigger"] for r in changed.run_requests} == {"catalog_changed"}
    assert not _tick(catalog, changed.cursor).run_requests


def test_the_sensor_skips_a_catalog_it_cannot_read(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    assert "no catalog" in _tick(catalog, None).skip_message
    catalog.write_text("link,agency\na.html,甲局\n", encoding="utf-8")
    result = _tick(catalog, '{"2020": "x"}')
    assert not result.run_requests and "cannot be read whole" in result.skip_message
    assert set(KEYS) >= {"2020"}
