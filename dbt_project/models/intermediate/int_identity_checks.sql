-- The hard identities 1-4 (their terms: int_identity_terms) evaluated with the rules of
-- ingest/checks.py:
-- * a check exists at a position only when at least one of its terms is printed;
-- * if a missing term that is not undecided is total-like (a blank total), the source leaves
--   the check open: holds and difference null, reading 'blank_unknown', lhs/rhs the sums of
--   the printed terms (null for a side with none);
-- * otherwise, if a term is undecided (a cell the parser could not decide), so is the check:
--   reading 'undecided', holds and difference null, lhs/rhs as for blank_unknown;
-- * otherwise missing terms count as 0 (reading 'blank_as_zero'), or every term is printed
--   (reading 'printed'), and holds is lhs = rhs.
-- `undecided` lists the undecided terms as row.col, sorted (null when none).
-- Computed from the cells, one pass by applicant column (identities 1 and 2), one by row (3),
-- one over the review cells (4): a printed term is a cell, and the number of terms at a
-- position (printed or not, total-like or not) follows from the code list and the report's
-- disposition leaves, so the terms that are not printed are counted, never listed. An
-- undecided term is a cell too (null, flagged): those are counted and listed.
{{ ogi_incremental_by_report() }}

with applicant_columns as (
    select code from {{ ref('stg_codes') }} where section = 'applicant'
),

outcome_parts as (
    select code
    from {{ ref('stg_codes') }}
    where section = 'reviews' and code_group = 'outcome' and code <> 'total'
),

counts as (
    select
        (select count(*) from applicant_columns where code <> 'total') as applicant_parts,
        (select count(*) from outcome_parts) as outcome_parts
),

application_cells as (
    select
        report_id, row_code, col_code, value, undecided,
        case when undecided then row_code || '.' || col_code end as term
    from {{ ref('stg_cells') }}
    where section = 'applications'
      and col_code in (select code from applicant_columns)
      and {{ ogi_changed('report_id') }}
),

leaves as (
    select report_id, template_applications, disposition
    from {{ ref('int_disposition_leaves') }}
    where {{ ogi_changed('report_id') }}
),

-- The report's template and its number of leaves, and for each code whether it is a leaf of
-- either template: the cells are then summed by template without a join per report and cell.
templates as (
    select report_id, any_value(template_applications) as template, count(*) as n_leaves
    from leaves
    group by report_id
),

leaf_codes as (
    select
        disposition as code,
        bool_or(template_applications = '2019') as leaf_2019,
        bool_or(template_applications = '2021') as leaf_2021
    from leaves
    group by disposition
),

-- 1 ledger and 2 dispositions at applicant column c, from one pass over the cells
by_column as (
    select
        cells.report_id,
        cells.col_code,
        count(cells.value) filter (
            where cells.row_code in
                ('new_requests', 'carried_over', 'total_processed', 'carried_forward')
        ) as ledger_printed,
        sum(cells.value) filter (where cells.row_code in ('new_requests', 'carried_over'))
            as ledger_lhs,
        sum(cells.value) filter (where cells.row_code in ('total_processed', 'carried_forward'))
            as ledger_rhs,
        count(cells.value) filter (where cells.row_code = 'total_processed') as processed_printed,
        sum(cells.value) filter (where cells.row_code = 'total_processed') as processed,
        count(cells.value) filter (where leaf_codes.leaf_2019) as leaves_printed_2019,
        sum(cells.value) filter (where leaf_codes.leaf_2019) as leaves_2019,
        count(cells.value) filter (where leaf_codes.leaf_2021) as leaves_printed_2021,
        sum(cells.value) filter (where leaf_codes.leaf_2021) as leaves_2021,
        count(cells.term) filter (
            where cells.row_code in
                ('new_requests', 'carried_over', 'total_processed', 'carried_forward')
        ) as ledger_undecided,
        list(cells.term order by cells.term) filter (
            where cells.term is not null and cells.row_code in
                ('new_requests', 'carried_over', 'total_processed', 'carried_forward')
        ) as ledger_terms,
        count(cells.term) filter (where cells.row_code = 'total_processed') as processed_undecided,
        count(cells.term) filter (where leaf_codes.leaf_2019) as leaves_undecided_2019,
        count(cells.term) filter (where leaf_codes.leaf_2021) as leaves_undecided_2021,
        list(cells.term order by cells.term) filter (
            where cells.term is not null and cells.row_code = 'total_processed'
        ) as processed_terms,
        list(cells.term order by cells.term) filter (
            where cells.term is not null and leaf_codes.leaf_2019
        ) as leaf_terms_2019,
        list(cells.term order by cells.term) filter (
            where cells.term is not null and leaf_codes.leaf_2021
        ) as leaf_terms_2021
    from application_cells as cells
    left join leaf_codes
        on leaf_codes.code = cells.row_code
    group by cells.report_id, cells.col_code
),

-- 1 ledger at applicant column c: new_requests + carried_over = total_processed + carried_forward
ledger as (
    select
        report_id,
        'ledger' as identity,
        col_code as "at",
        4 as n_terms,
        case when col_code = 'total' then 4 else 0 end as n_total_like,
        ledger_printed as n_printed,
        case when col_code = 'total' then ledger_printed else 0 end as n_total_like_printed,
        ledger_lhs as lhs_printed,
        ledger_rhs as rhs_printed,
        ledger_undecided as n_undecided,
        case when col_code = 'total' then ledger_undecided else 0 end as n_total_like_undecided,
        ledger_terms as undecided
    from by_column
),

-- 2 dispositions at applicant column c: total_processed = the leaves of the report's template
dispositions as (
    select
        report_id,
        'dispositions' as identity,
        col_code as "at",
        1 + n_leaves as n_terms,
        1 + case when col_code = 'total' then n_leaves else 0 end as n_total_like,
        processed_printed + leaves_printed as n_printed,
        processed_printed + case when col_code = 'total' then leaves_printed else 0 end
            as n_total_like_printed,
        processed as lhs_printed,
        leaves as rhs_printed,
        processed_undecided + leaves_undecided as n_undecided,
        processed_undecided + case when col_code = 'total' then leaves_undecided else 0 end
            as n_total_like_undecided,
        nullif(list_sort(coalesce(processed_terms, []) || coalesce(leaf_terms, [])), [])
            as undecided
    from (
        select
            by_column.*,
            coalesce(templates.n_leaves, 0) as n_leaves,
            case when templates.template = '2021' then leaves_printed_2021
                when templates.template = '2019' then leaves_printed_2019
                else 0 end as leaves_printed,
            case when templates.template = '2021' then leaves_2021
                when templates.template = '2019' then leaves_2019 end as leaves,
            case when templates.template = '2021' then leaves_undecided_2021
                when templates.template = '2019' then leaves_undecided_2019
                else 0 end as leaves_undecided,
            case when templates.template = '2021' then leaf_terms_2021
                when templates.template = '2019' then leaf_terms_2019 end as leaf_terms
        from by_column
        left join templates
            on templates.report_id = by_column.report_id
    )
),

-- 3 applicants at application row r: total = sum of the other applicant columns
applicants as (
    select
        report_id,
        'applicants' as identity,
        row_code as "at",
        1 + any_value(counts.applicant_parts) as n_terms,
        1 as n_total_like,
        count(value) as n_printed,
        count(value) filter (where col_code = 'total') as n_total_like_printed,
        sum(value) filter (where col_code = 'total') as lhs_printed,
        sum(value) filter (where col_code <> 'total') as rhs_printed,
        count(term) as n_undecided,
        count(term) filter (where col_code = 'total') as n_total_like_undecided,
        list(term order by term) filter (where term is not null) as undecided
    from application_cells
    cross join counts
    group by report_id, row_code
),

-- 4 outcomes at review group g: total = upheld + corrected + other + pending
outcomes as (
    select
        cells.report_id,
        'outcomes' as identity,
        cells.row_code as "at",
        1 + any_value(counts.outcome_parts) as n_terms,
        1 as n_total_like,
        count(cells.value) as n_printed,
        count(cells.value) filter (where cells.col_code = 'total') as n_total_like_printed,
        sum(cells.value) filter (where cells.col_code = 'total') as lhs_printed,
        sum(cells.value) filter (where cells.col_code <> 'total') as rhs_printed,
        count(*) filter (where cells.undecided) as n_undecided,
        count(*) filter (where cells.undecided and cells.col_code = 'total')
            as n_total_like_undecided,
        list(cells.row_code || '.' || cells.col_code order by cells.row_code || '.' || cells.col_code)
            filter (where cells.undecided) as undecided
    from {{ ref('stg_cells') }} as cells
    cross join counts
    where cells.section = 'reviews'
      and cells.row_code in (
          select code from {{ ref('stg_codes') }} where section = 'reviews' and code_group = 'group'
      )
      and (cells.col_code = 'total' or cells.col_code in (select code from outcome_parts))
      and {{ ogi_changed('cells.report_id') }}
    group by cells.report_id, cells.row_code
),

sides as (
    select
        *,
        n_total_like_printed + n_total_like_undecided < n_total_like as total_is_missing
    from (
        select * from ledger
        union all select * from dispositions
        union all select * from applicants
        union all select * from outcomes
    )
    where n_printed > 0
)
,

readings as (
    select
        *,
        case
            when total_is_missing then 'blank_unknown'
            when n_undecided > 0 then 'undecided'
            when n_printed < n_terms then 'blank_as_zero'
            else 'printed'
        end as reading
    from sides
)

select
    report_id,
    identity,
    "at",
    case
        when reading in ('blank_unknown', 'undecided') then round(lhs_printed, 6)
        else round(coalesce(lhs_printed, 0), 6)
    end as lhs,
    case
        when reading in ('blank_unknown', 'undecided') then round(rhs_printed, 6)
        else round(coalesce(rhs_printed, 0), 6)
    end as rhs,
    case
        when reading not in ('blank_unknown', 'undecided')
            then round(coalesce(lhs_printed, 0) - coalesce(rhs_printed, 0), 6)
    end as difference,
    case
        when reading not in ('blank_unknown', 'undecided')
            then abs(coalesce(lhs_printed, 0) - coalesce(rhs_printed, 0)) < 1e-9
    end as holds,
    reading,
    false as soft,
    undecided
from readings
