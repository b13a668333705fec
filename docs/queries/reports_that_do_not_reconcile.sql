-- Reports whose printed numbers do not reconcile (kept out of the fct_* tables): which
-- identity fails where and by how much, with the source to check by hand. Reports quarantined
-- only because the parser could not decide a cell (n_parse_undecided) are left out: that says
-- nothing about the agency's numbers.
select
    r.agency_name,
    r.reporting_year,
    q.reason,
    r.source
from rpt_quarantine q
join dim_reports r using (report_id)
where q.n_failed > 0 or q.n_undecided > 0
order by r.reporting_year, r.agency_name;
