-- The hard identities 1-4 evaluated from int_identity_terms, with the rules of
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
with sides as (
    select
        report_id,
        identity,
        "at",
        count(*) as n_terms,
        count(value) as n_printed,
        bool_or(value is null and is_total_like and not is_undecided) as total_is_missing,
        bool_or(is_undecided) as has_undecided,
        list(row_code || '.' || col_code order by row_code || '.' || col_code)
            filter (where is_undecided) as undecided,
        sum(value) filter (where side = 'lhs') as lhs_printed,
        sum(value) filter (where side = 'rhs') as rhs_printed
    from {{ ref('int_identity_terms') }}
    group by report_id, identity, "at"
    having count(value) > 0
),

readings as (
    select
        *,
        case
            when total_is_missing then 'blank_unknown'
            when has_undecided then 'undecided'
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
