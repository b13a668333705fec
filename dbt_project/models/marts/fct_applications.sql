-- The application ledger of reports whose identities hold: every report with an application
-- table x every applicant column of the code list. Null = blank (or not printed).
{{ ogi_incremental_by_report() }}

with reports as (
    select distinct report_id
    from {{ ref('int_applications_printed') }}
    where report_id not in (select report_id from {{ ref('rpt_quarantine') }})
      and {{ ogi_changed('report_id') }}
),

applicant_types as (
    select code, ordinal
    from {{ ref('stg_codes') }}
    where section = 'applicant'
)

select
    reports.report_id,
    applicant_types.code as applicant_type,
    printed.new_requests,
    printed.carried_over,
    printed.total_processed,
    printed.carried_forward
from reports
cross join applicant_types
left join {{ ref('int_applications_printed') }} as printed
    on printed.report_id = reports.report_id
    and printed.applicant_type = applicant_types.code
