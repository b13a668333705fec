-- Reports whose printed numbers do not reconcile (kept out of the fct_* tables): which
-- identity fails where and by how much, with the source to check by hand.
select
    r.agency_name,
    r.reporting_year,
    q.reason,
    r.source
from rpt_quarantine q
join dim_reports r using (report_id)
order by r.reporting_year, r.agency_name;
