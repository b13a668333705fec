-- Section 二 (主动公开) as printed: one row per report, item and measure present in the cells.
{{ ogi_incremental_by_report() }}

select
    cells.report_id,
    cells.row_code as item,
    cells.col_code as measure,
    cells.value,
    cells.raw
from {{ ref('stg_cells') }} as cells
where cells.section = 'proactive'
  and {{ ogi_changed('cells.report_id') }}
