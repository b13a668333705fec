-- Share of requests withheld (不予公开), by province and reporting year: column 总计 of the
-- reports whose identities hold; the province is the first two digits of the 行政区划代码.
select
    left(a.region_code, 2) || '0000' as province_code,
    r.reporting_year,
    sum(d.count) filter (where k."group" = 'withheld') as withheld,
    sum(d.count) as handled,
    round(withheld / handled, 4) as withheld_share
from fct_dispositions d
join dim_dispositions k on k.code = d.disposition
join dim_reports r using (report_id)
join dim_agencies a using (agency_name)
where d.applicant_type = 'total'
group by all
having handled > 0
order by province_code, r.reporting_year;
