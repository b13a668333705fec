-- One row per report whose printed numbers do not reconcile (a hard identity fails, or a
-- blank total leaves it undecided). These are facts about the sources, not warehouse errors:
-- the test warns so that every build reports how many there are (see rpt_quarantine). Reports
-- quarantined only because the parser could not decide a cell are counted by
-- parser_undecided_reports, not here: that is not the agency's doing.
{{ config(severity='warn') }}

select report_id, agency_name, reporting_year, n_failed, n_undecided, reason
from {{ ref('rpt_quarantine') }}
where n_failed > 0 or n_undecided > 0
