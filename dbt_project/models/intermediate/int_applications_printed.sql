-- Section 三 (application ledger) as printed, for every report including inconsistent ones:
-- one row per report and applicant column present in the cells, the four ledger rows
-- pivoted into columns. A blank cell, or a ledger row the report does not print, is null.
{{ ogi_incremental_by_report() }}

select
    cells.report_id,
    cells.col_code as applicant_type,
    max(cells.value) filter (where cells.row_code = 'new_requests') as new_requests,
    max(cells.value) filter (where cells.row_code = 'carried_over') as carried_over,
    max(cells.value) filter (where cells.row_code = 'total_processed') as total_processed,
    max(cells.value) filter (where cells.row_code = 'carried_forward') as carried_forward
from {{ ref('stg_cells') }} as cells
where cells.section = 'applications'
  and {{ ogi_changed('cells.report_id') }}
group by cells.report_id, cells.col_code
