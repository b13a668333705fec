-- The hard identities 1-4 evaluated from int_identity_terms, with the rules of
-- ingest/checks.py:
-- * a check exists at a position only when at least one of its terms is printed;
-- * if a missing term is total-like, the check is undecided: holds and difference null,
--   reading 'blank_unknown', lhs/rhs the sums of the printed terms (null for a side with none);
-- * otherwise missing terms count as 0 (reading 'blank_as_zero'), or every term is printed
--   (reading 'printed'), and holds is lhs = rhs.
with sides as (
    select
        report_id,
        identity,
        "at",
        count(*) as n_terms,
        count(value) as n_printed,
        bool_or(value is null and is_total_like) as total_is_missing,
        sum(value) filter (where side = 'lhs') as lhs_printed,
        sum(value) filter (where side = 'rhs') as rhs_printed
    from {{ ref('int_identity_terms') }}
    group by report_id, identity, "at"
    having count(value) > 0
)

select
    report_id,
    identity,
    "at",
    case
        when total_is_missing then round(lhs_printed, 6)
        else round(coalesce(lhs_printed, 0), 6)
    end as lhs,
    case
        when total_is_missing then round(rhs_printed, 6)
        else round(coalesce(rhs_printed, 0), 6)
    end as rhs,
    case
        when not total_is_missing
            then round(coalesce(lhs_printed, 0) - coalesce(rhs_printed, 0), 6)
    end as difference,
    case
        when not total_is_missing
            then abs(coalesce(lhs_printed, 0) - coalesce(rhs_printed, 0)) < 1e-9
    end as holds,
    case
        when total_is_missing then 'blank_unknown'
        when n_printed < n_terms then 'blank_as_zero'
        else 'printed'
    end as reading,
    false as soft
from sides
