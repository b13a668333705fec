-- Section 四 (行政复议 / 行政诉讼) as printed: one row per report and group present in the
-- cells, the five outcomes pivoted into columns. Blank cells stay null.
{{ ogi_incremental_by_report() }}

select
    cells.report_id,
    cells.row_code as review_group,
    max(cells.value) filter (where cells.col_code = 'upheld') as upheld,
    max(cells.value) filter (where cells.col_code = 'corrected') as corrected,
    max(cells.value) filter (where cells.col_code = 'other') as other,
    max(cells.value) filter (where cells.col_code = 'pending') as pending,
    max(cells.value) filter (where cells.col_code = 'total') as total
from {{ ref('stg_cells') }} as cells
where cells.section = 'reviews'
  and {{ ogi_changed('cells.report_id') }}
group by cells.report_id, cells.row_code
