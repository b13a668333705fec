-- Agencies whose lawsuits (行政诉讼, both paths, all years) most often end with the decision
-- corrected (结果纠正), as a share of the concluded cases (总计 less 尚未审结).
select
    r.agency_name,
    sum(l.corrected) as corrected_cases,
    sum(l.total) - coalesce(sum(l.pending), 0) as concluded_cases,
    round(corrected_cases / concluded_cases, 4) as corrected_share
from fct_litigation l
join dim_reports r using (report_id)
group by r.agency_name
having concluded_cases >= 5
order by corrected_share desc, concluded_cases desc, r.agency_name
limit 10;
