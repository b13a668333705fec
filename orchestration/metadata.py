"""Materialization and check metadata: rows of plain values as Dagster tables and Markdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg

_TYPES = {bool: "bool", int: "int", float: "string", str: "string"}


def _cell(value: object) -> object:
    """Shares (floats) show as percentages; None stays empty."""
    if isinstance(value, float):
        return f"{value:.1%}"
    return value


def _columns(rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None) -> list[str]:
    return list(columns or (rows[0].keys() if rows else []))


def table(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None
) -> dg.TableMetadataValue:
    """Rows as a table the UI renders (sortable columns)."""
    names = _columns(rows, columns)
    kinds = {
        name: _TYPES.get(
            type(next((r[name] for r in rows if r.get(name) is not None), "")), "string"
        )
        for name in names
    }
    return dg.MetadataValue.table(
        records=[dg.TableRecord({n: _cell(r.get(n)) for n in names}) for r in rows],
        schema=dg.TableSchema(columns=[dg.TableColumn(n, kinds[n]) for n in names]),
    )


def _md(value: object) -> str:
    text = "" if value is None else str(_cell(value))
    return " ".join(text.split()).replace("|", "\\|")


def markdown_table(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None
) -> dg.MarkdownMetadataValue:
    names = _columns(rows, columns)
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_md(r.get(n)) for n in names) + " |" for r in rows]
    return dg.MetadataValue.md("\n".join(lines) if rows else "_none_")
