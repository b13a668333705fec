-- One row per report with a hard identity the parser could not decide (a term is a cell whose
-- glued digits split several ways, or values it could not place), or with such a cell in
-- section 三 or 四. These checks are neither passed nor failed: the report is quarantined
-- (rpt_quarantine.n_parse_undecided) and no fct_* table, hence no identity test on one, ever
-- reads the unknown value as a blank or a 0. The test warns so that every build reports how
-- many there are.
{{ config(severity='warn') }}

select report_id, agency_name, reporting_year, n_parse_undecided, reason
from {{ ref('rpt_quarantine') }}
where n_parse_undecided > 0 or (n_failed = 0 and n_undecided = 0)
