-- Reports kept out of every fct_* table: a hard identity (1-4) does not hold, either because
-- the printed numbers contradict each other (n_failed), because a blank total (总计) leaves it
-- undecided (n_undecided), or because it involves a cell the parser could not decide
-- (n_parse_undecided: an ambiguous digit split, values it could not place). A report with such
-- a cell in section 三 or 四 is kept out even when no check involves it: a fact table never
-- serves an unknown value as a blank. Their printed numbers stay queryable in the
-- int_*_printed tables, and dim_reports.is_quarantined flags them.
{{ ogi_incremental_by_report() }}

with failing as (
    select *
    from {{ ref('int_identity_checks') }}
    where not soft and holds is not true
      and {{ ogi_changed('report_id') }}
),

by_checks as (
    select
        report_id,
        count(*) filter (where holds = false) as n_failed,
        count(*) filter (where reading = 'blank_unknown') as n_undecided,
        count(*) filter (where reading = 'undecided') as n_parse_undecided,
        string_agg(
            identity || '@' || "at" || ' '
            || case
                when reading = 'blank_unknown' then 'undecided (blank total)'
                when reading = 'undecided'
                    then 'not decided by the parser (' || array_to_string(undecided, ', ') || ')'
                else 'difference ' || {{ ogi_format_number('difference') }}
                    || ' (' || {{ ogi_format_number('lhs') }}
                    || ' vs ' || {{ ogi_format_number('rhs') }} || ')'
            end,
            '; '
            order by identity, "at"
        ) as reason
    from failing
    group by report_id
),

undecided_cells as (
    select
        report_id,
        string_agg(
            section || ' ' || row_code || '.' || col_code, ', '
            order by section, row_code, col_code
        ) as cells
    from {{ ref('stg_cells') }}
    where undecided and section in ('applications', 'reviews')
      and {{ ogi_changed('report_id') }}
    group by report_id
),

quarantined as (
    select report_id from by_checks
    union
    select report_id from undecided_cells
)

select
    quarantined.report_id,
    reports.agency_name,
    reports.reporting_year,
    coalesce(by_checks.n_failed, 0) as n_failed,
    coalesce(by_checks.n_undecided, 0) as n_undecided,
    coalesce(by_checks.n_parse_undecided, 0) as n_parse_undecided,
    coalesce(
        by_checks.reason, 'cells not decided by the parser: ' || undecided_cells.cells
    ) as reason
from quarantined
left join by_checks
    on by_checks.report_id = quarantined.report_id
left join undecided_cells
    on undecided_cells.report_id = quarantined.report_id
left join {{ ref('stg_reports') }} as reports
    on reports.report_id = quarantined.report_id
