-- Soft identity 5, across years for one agency: carried_over (上年结转) printed in year Y
-- equals carried_forward (结转下年度) printed in year Y-1, at the applicant column total.
-- Agencies are matched on agency_name (catalog name, else parsed name), years on
-- reporting_year. When an agency has several reports for Y-1, the one printing
-- carried_forward is preferred, then the smallest report_id. Both terms are totals (总计), so a
-- missing one leaves the check undecided: 'blank_unknown' when it is blank or not printed,
-- else 'undecided' when it is a cell the parser could not decide (listed in `undecided`); a
-- check exists only when a prior report exists and at least one of the two values is printed.
with reports as (
    select report_id, agency_name, reporting_year
    from {{ ref('stg_reports') }}
    where agency_name is not null and reporting_year is not null
),

totals as (
    select
        report_id,
        max(value) filter (where row_code = 'carried_over') as carried_over,
        max(value) filter (where row_code = 'carried_forward') as carried_forward,
        bool_or(undecided) filter (where row_code = 'carried_over') as carried_over_undecided,
        bool_or(undecided) filter (where row_code = 'carried_forward') as carried_forward_undecided
    from {{ ref('stg_cells') }}
    where section = 'applications'
      and col_code = 'total'
      and row_code in ('carried_over', 'carried_forward')
    group by report_id
),

prior as (
    select
        cur.report_id,
        prev.report_id as prior_report_id,
        prev_totals.carried_forward,
        coalesce(prev_totals.carried_forward_undecided, false) as carried_forward_undecided,
        row_number() over (
            partition by cur.report_id
            order by prev_totals.carried_forward is null, prev.report_id
        ) as rank_in_year
    from reports as cur
    inner join reports as prev
        on prev.agency_name = cur.agency_name
        and prev.reporting_year = cur.reporting_year - 1
    left join totals as prev_totals
        on prev_totals.report_id = prev.report_id
),

pairs as (
    select
        prior.report_id,
        prior.prior_report_id,
        cur_totals.carried_over,
        prior.carried_forward,
        coalesce(cur_totals.carried_over_undecided, false) as carried_over_undecided,
        prior.carried_forward_undecided,
        (cur_totals.carried_over is not null and prior.carried_forward is not null) as decided
    from prior
    left join totals as cur_totals
        on cur_totals.report_id = prior.report_id
    where prior.rank_in_year = 1
)

select
    report_id,
    'carry_over' as identity,
    'total' as "at",
    round(carried_over, 6) as lhs,
    round(carried_forward, 6) as rhs,
    case when decided then round(carried_over - carried_forward, 6) end as difference,
    case when decided then abs(carried_over - carried_forward) < 1e-9 end as holds,
    case
        when decided then 'printed'
        when (carried_over is null and not carried_over_undecided)
            or (carried_forward is null and not carried_forward_undecided) then 'blank_unknown'
        else 'undecided'
    end as reading,
    true as soft,
    prior_report_id as counterpart_report_id,
    case when carried_over_undecided or carried_forward_undecided then list_concat(
        case when carried_over_undecided then ['carried_over.total'] else [] end,
        case when carried_forward_undecided then ['carried_forward.total'] else [] end
    ) end as undecided
from pairs
where carried_over is not null or carried_forward is not null
