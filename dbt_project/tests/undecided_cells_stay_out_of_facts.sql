-- A cell the parser could not decide is null but not a blank: no fact table may serve it as
-- one. Its report is kept out of the section 三 / 四 fact tables (rpt_quarantine), so the
-- identity tests on them (sums_balance, sum_equals, group_sum_equals, which read a blank
-- component as 0) never see it; in fct_proactive_disclosure it is flagged `undecided`. Any
-- fact row breaking this fails.
with undecided as (
    select report_id, section, row_code, col_code
    from {{ ref('stg_cells') }}
    where undecided
),

ledger_facts as (
    select distinct report_id, 'applications' as section from {{ ref('fct_applications') }}
    union
    select distinct report_id, 'applications' from {{ ref('fct_dispositions') }}
    union
    select distinct report_id, 'reviews' from {{ ref('fct_reviews') }}
    union
    select distinct report_id, 'reviews' from {{ ref('fct_litigation') }}
)

select undecided.report_id, undecided.section, undecided.row_code, undecided.col_code
from undecided
inner join ledger_facts
    on ledger_facts.report_id = undecided.report_id
    and ledger_facts.section = undecided.section

union all

select facts.report_id, 'proactive', facts.item, facts.measure
from {{ ref('fct_proactive_disclosure') }} as facts
inner join undecided
    on undecided.report_id = facts.report_id
    and undecided.section = 'proactive'
    and undecided.row_code = facts.item
    and undecided.col_code = facts.measure
where not coalesce(facts.undecided, false) or facts.value is not null
