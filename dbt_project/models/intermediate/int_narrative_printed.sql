-- Totals stated in the report's text (e.g. 新收102件, 结转8件), one row per report and key.
{{ ogi_incremental_by_report() }}

select
    cells.report_id,
    cells.row_code as narrative_key,
    cells.value,
    cells.raw
from {{ ref('stg_cells') }} as cells
where cells.section = 'narrative'
  and {{ ogi_changed('cells.report_id') }}
