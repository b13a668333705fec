-- Section 三 disposition rows (办理结果) as printed: one row per report, applicant column
-- and disposition row present in the cells. Disposition rows are the application rows
-- outside the ledger group of the code list; a blank cell keeps a null count.
-- A view: it is stg_cells filtered, read by fct_dispositions and its tests, and at national
-- scale it has more than ten million rows that would be written again for nothing.
{{ config(materialized='view') }}

select
    cells.report_id,
    cells.col_code as applicant_type,
    cells.row_code as disposition,
    cells.value as count,
    cells.raw
from {{ ref('stg_cells') }} as cells
inner join {{ ref('stg_codes') }} as codes
    on codes.section = 'applications'
    and coalesce(codes.code_group, '') <> 'ledger'
    and codes.code = cells.row_code
where cells.section = 'applications'
