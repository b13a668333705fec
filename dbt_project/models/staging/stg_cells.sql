-- The long table of every parsed value, read from Parquet once: a table, not a view, because
-- every intermediate model and many tests read it (at national scale, tens of millions of rows).
-- Built by report: a build reads the cells of the reports that changed (macros/incremental.sql).
{{ ogi_incremental_by_report() }}

select
    report_id,
    section,
    row_code,
    col_code,
    cast(value as double) as value,
    raw,
    method,
    undecided,
    undecided_by
from {{ source('ogi', 'cells') }}
where {{ ogi_changed('report_id') }}
