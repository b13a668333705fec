-- The hard identities computed in SQL (int_identity_checks) and by the parser
-- (ingest/checks.py, the checks table) must agree exactly: same positions, same readings,
-- same sides, verdicts and undecided terms. Any row present on one side only, or differing,
-- fails.
with parser as (
    select
        report_id, identity, "at",
        round(lhs, 6) as lhs, round(rhs, 6) as rhs, round(difference, 6) as difference,
        holds, reading, undecided
    from {{ ref('stg_checks') }}
    where not soft
),

warehouse as (
    select report_id, identity, "at", lhs, rhs, difference, holds, reading, undecided
    from {{ ref('int_identity_checks') }}
)

select
    coalesce(parser.report_id, warehouse.report_id) as report_id,
    coalesce(parser.identity, warehouse.identity) as identity,
    coalesce(parser."at", warehouse."at") as "at",
    parser.lhs as parser_lhs,
    warehouse.lhs as sql_lhs,
    parser.rhs as parser_rhs,
    warehouse.rhs as sql_rhs,
    parser.difference as parser_difference,
    warehouse.difference as sql_difference,
    parser.holds as parser_holds,
    warehouse.holds as sql_holds,
    parser.reading as parser_reading,
    warehouse.reading as sql_reading,
    parser.undecided as parser_undecided,
    warehouse.undecided as sql_undecided
from parser
full outer join warehouse
    on parser.report_id = warehouse.report_id
    and parser.identity = warehouse.identity
    and parser."at" = warehouse."at"
where parser.report_id is null
   or warehouse.report_id is null
   or parser.holds is distinct from warehouse.holds
   or parser.reading is distinct from warehouse.reading
   or parser.lhs is distinct from warehouse.lhs
   or parser.rhs is distinct from warehouse.rhs
   or parser.difference is distinct from warehouse.difference
   or parser.undecided is distinct from warehouse.undecided
