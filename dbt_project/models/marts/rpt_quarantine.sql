-- Reports kept out of every fct_* table: a hard identity (1-4) does not hold, either because
-- the printed numbers contradict each other or because a blank total (总计) leaves it
-- undecided. Their printed numbers stay queryable in the int_*_printed models, and
-- dim_reports.is_quarantined flags them.
{{ ogi_incremental_by_report() }}

with failing as (
    select *
    from {{ ref('int_identity_checks') }}
    where not soft and holds is not true
      and {{ ogi_changed('report_id') }}
)

select
    failing.report_id,
    reports.agency_name,
    reports.reporting_year,
    count(*) filter (where failing.holds = false) as n_failed,
    count(*) filter (where failing.holds is null) as n_undecided,
    string_agg(
        failing.identity || '@' || failing."at" || ' '
        || case
            when failing.holds is null then 'undecided (blank total)'
            else 'difference ' || {{ ogi_format_number('failing.difference') }}
                || ' (' || {{ ogi_format_number('failing.lhs') }}
                || ' vs ' || {{ ogi_format_number('failing.rhs') }} || ')'
        end,
        '; '
        order by failing.identity, failing."at"
    ) as reason
from failing
left join {{ ref('stg_reports') }} as reports
    on reports.report_id = failing.report_id
group by failing.report_id, reports.agency_name, reports.reporting_year
