-- Every term of the hard reconciliation identities (勾稽关系 1-4), one row per report,
-- identity, position (`at`), side and cell, with the printed value (null when the cell is
-- blank or the row/column is not printed). Computed from the cells and the code list only,
-- independently of the parser's own checks.
--   1 ledger        at applicant column c: new_requests + carried_over
--                                          = total_processed + carried_forward
--   2 dispositions  at applicant column c: total_processed = sum of the disposition leaves
--   3 applicants    at application row r:  total = sum of the six applicant columns
--   4 outcomes      at review group g:      total = upheld + corrected + other + pending
-- A term is total-like (总计) when its column is `total`, or when it is the total_processed
-- that the dispositions identity checks (its left-hand side). A term is undecided when its
-- cell is one the parser could not decide (null, but not a printed blank).
-- A view, to read a check term by term: int_identity_checks counts the same terms from the
-- printed cells directly, and at national scale this has tens of millions of rows that would
-- be written for nothing.
{{ config(materialized='view') }}

with applicant_columns as (
    select code as col_code
    from {{ ref('stg_codes') }}
    where section = 'applicant'
),

applicant_parts as (
    select col_code from applicant_columns where col_code <> 'total'
),

review_groups as (
    select code as row_code
    from {{ ref('stg_codes') }}
    where section = 'reviews' and code_group = 'group'
),

outcome_parts as (
    select code as col_code
    from {{ ref('stg_codes') }}
    where section = 'reviews' and code_group = 'outcome' and code <> 'total'
),

application_reports as (
    select distinct report_id
    from {{ ref('stg_cells') }}
    where section = 'applications'
),

application_rows as (
    select distinct report_id, row_code
    from {{ ref('stg_cells') }}
    where section = 'applications'
),

review_reports as (
    select distinct report_id
    from {{ ref('stg_cells') }}
    where section = 'reviews'
),

ledger_terms (side, row_code) as (
    values
        ('lhs', 'new_requests'),
        ('lhs', 'carried_over'),
        ('rhs', 'total_processed'),
        ('rhs', 'carried_forward')
),

terms as (
    select
        r.report_id, 'applications' as section, 'ledger' as identity, c.col_code as "at",
        t.side, t.row_code, c.col_code
    from application_reports as r
    cross join applicant_columns as c
    cross join ledger_terms as t

    union all

    select
        r.report_id, 'applications', 'dispositions', c.col_code,
        'lhs', 'total_processed', c.col_code
    from application_reports as r
    cross join applicant_columns as c

    union all

    select
        l.report_id, 'applications', 'dispositions', c.col_code,
        'rhs', l.disposition, c.col_code
    from {{ ref('int_disposition_leaves') }} as l
    cross join applicant_columns as c

    union all

    select
        r.report_id, 'applications', 'applicants', r.row_code,
        'lhs', r.row_code, 'total'
    from application_rows as r

    union all

    select
        r.report_id, 'applications', 'applicants', r.row_code,
        'rhs', r.row_code, p.col_code
    from application_rows as r
    cross join applicant_parts as p

    union all

    select
        r.report_id, 'reviews', 'outcomes', g.row_code,
        'lhs', g.row_code, 'total'
    from review_reports as r
    cross join review_groups as g

    union all

    select
        r.report_id, 'reviews', 'outcomes', g.row_code,
        'rhs', g.row_code, o.col_code
    from review_reports as r
    cross join review_groups as g
    cross join outcome_parts as o
)

select
    terms.report_id,
    terms.identity,
    terms."at",
    terms.side,
    terms.section,
    terms.row_code,
    terms.col_code,
    cells.value,
    (terms.col_code = 'total' or (terms.identity = 'dispositions' and terms.side = 'lhs')) as is_total_like,
    coalesce(cells.undecided, false) as is_undecided
from terms
left join {{ ref('stg_cells') }} as cells
    on cells.report_id = terms.report_id
    and cells.section = terms.section
    and cells.row_code = terms.row_code
    and cells.col_code = terms.col_code
