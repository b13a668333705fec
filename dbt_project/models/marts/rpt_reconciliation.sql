-- Every reconciliation check, one row per report, identity and position (`at`):
-- the hard identities 1-4 computed here in SQL, the soft cross-year carry-over check, and the
-- parser's soft narrative checks (text vs tables). `undecided` is the list of undecided terms
-- as text (a plain column for CSV and BI clients).
-- Built by report; a report's carry-over check also depends on the report of the year before,
-- so the reports whose carry-over row changed are rebuilt too (ogi_carry_over_changes).
{{ ogi_incremental_by_report(also='ogi_carry_over_changes') }}

select
    report_id, identity, "at", lhs, rhs, difference, holds, reading, soft,
    array_to_string(undecided, ', ') as undecided,
    'sql' as evaluated_by,
    cast(null as varchar) as counterpart_report_id
from {{ ref('int_identity_checks') }}
where {{ ogi_changed('report_id') }}

union all

select
    report_id, identity, "at", lhs, rhs, difference, holds, reading, soft,
    array_to_string(undecided, ', ') as undecided,
    'sql' as evaluated_by,
    counterpart_report_id
from {{ ref('int_carry_over_checks') }}
where {{ ogi_changed('report_id') }}

union all

select
    report_id, identity, "at",
    round(lhs, 6), round(rhs, 6), round(difference, 6), holds, reading, soft,
    array_to_string(undecided, ', ') as undecided,
    'parser' as evaluated_by,
    cast(null as varchar) as counterpart_report_id
from {{ ref('stg_checks') }}
where soft
  and {{ ogi_changed('report_id') }}
