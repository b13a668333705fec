-- The disposition rows that add up to total_processed (identity 2) for each report with an
-- application table. The leaves depend on the report's section-三 template: in the 2021 form
-- （六）其他处理 has three sub-rows, in the 2019 form it is one row (other_total). A report
-- whose template is unknown is read as 2019, as the parser does.
{{ ogi_incremental_by_report() }}

with application_reports as (
    select distinct
        cells.report_id,
        case when reports.template_applications = '2021' then '2021' else '2019' end
            as template_applications
    from {{ ref('stg_cells') }} as cells
    left join {{ ref('stg_reports') }} as reports
        on reports.report_id = cells.report_id
    where cells.section = 'applications'
      and {{ ogi_changed('cells.report_id') }}
)

select
    application_reports.report_id,
    application_reports.template_applications,
    codes.code as disposition,
    codes.ordinal
from application_reports
inner join {{ ref('stg_codes') }} as codes
    on codes.section = 'applications'
    and coalesce(codes.code_group, '') <> 'ledger'
    and codes.template in ('both', application_reports.template_applications)
