-- How the applications were handled (办理结果), for reports whose identities hold: every
-- report x applicant column x disposition leaf of the report's template (the rows that add
-- up to total_processed). Null = blank (or not printed).
{{ ogi_incremental_by_report() }}

with leaves as (
    select report_id, disposition, ordinal
    from {{ ref('int_disposition_leaves') }}
    where report_id not in (select report_id from {{ ref('rpt_quarantine') }})
      and {{ ogi_changed('report_id') }}
),

applicant_types as (
    select code, ordinal
    from {{ ref('stg_codes') }}
    where section = 'applicant'
),

printed as (
    select report_id, applicant_type, disposition, count
    from {{ ref('int_dispositions_printed') }}
    where {{ ogi_changed('report_id') }}
)

select
    leaves.report_id,
    applicant_types.code as applicant_type,
    leaves.disposition,
    printed.count
from leaves
cross join applicant_types
left join printed
    on printed.report_id = leaves.report_id
    and printed.applicant_type = applicant_types.code
    and printed.disposition = leaves.disposition
