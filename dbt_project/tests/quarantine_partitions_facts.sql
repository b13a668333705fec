-- Nothing is silently dropped and nothing unreconciled leaks: every report with printed
-- statistics is either in the fact tables or in rpt_quarantine, never both, never neither.
with printed as (
    select distinct report_id
    from {{ ref('stg_cells') }}
    where section in ('applications', 'reviews', 'proactive')
),

in_facts as (
    select report_id from {{ ref('fct_applications') }}
    union
    select report_id from {{ ref('fct_dispositions') }}
    union
    select report_id from {{ ref('fct_reviews') }}
    union
    select report_id from {{ ref('fct_litigation') }}
    union
    select report_id from {{ ref('fct_proactive_disclosure') }}
)

select
    coalesce(printed.report_id, in_facts.report_id) as report_id,
    in_facts.report_id is not null as in_facts,
    quarantine.report_id is not null as quarantined
from printed
full outer join in_facts
    on in_facts.report_id = printed.report_id
left join {{ ref('rpt_quarantine') }} as quarantine
    on quarantine.report_id = coalesce(printed.report_id, in_facts.report_id)
where printed.report_id is null
   or (in_facts.report_id is null) = (quarantine.report_id is null)
