-- Every reconciliation check, one row per report, identity and position (`at`):
-- the hard identities 1-4 computed here in SQL, the soft cross-year carry-over check, and the
-- parser's soft narrative checks (text vs tables). `undecided` is the list of undecided terms
-- as text (a plain column for CSV and BI clients).
select
    report_id, identity, "at", lhs, rhs, difference, holds, reading, soft,
    array_to_string(undecided, ', ') as undecided,
    'sql' as evaluated_by,
    cast(null as varchar) as counterpart_report_id
from {{ ref('int_identity_checks') }}

union all

select
    report_id, identity, "at", lhs, rhs, difference, holds, reading, soft,
    array_to_string(undecided, ', ') as undecided,
    'sql' as evaluated_by,
    counterpart_report_id
from {{ ref('int_carry_over_checks') }}

union all

select
    report_id, identity, "at",
    round(lhs, 6), round(rhs, 6), round(difference, 6), holds, reading, soft,
    array_to_string(undecided, ', ') as undecided,
    'parser' as evaluated_by,
    cast(null as varchar) as counterpart_report_id
from {{ ref('stg_checks') }}
where soft

order by report_id, identity, "at"
