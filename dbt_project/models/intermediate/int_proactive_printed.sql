-- Section 二 (主动公开) as printed: one row per report, item and measure present in the cells.
-- `undecided`: the value is printed but the parser could not decide it (null, not a blank).
{{ ogi_incremental_by_report() }}

select
    cells.report_id,
    cells.row_code as item,
    cells.col_code as measure,
    cells.value,
    cells.raw,
    cells.undecided
from {{ ref('stg_cells') }} as cells
where cells.section = 'proactive'
  and {{ ogi_changed('cells.report_id') }}
