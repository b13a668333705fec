-- One row per agency name (the catalog's name when there is one, else the parsed name).
-- Level and region code come from the agency's latest catalog entry that has them.
select
    agency_name,
    first(catalog_level order by catalog_year desc nulls last, report_id)
        filter (where catalog_level is not null) as level,
    first(catalog_region_code order by catalog_year desc nulls last, report_id)
        filter (where catalog_region_code is not null) as region_code,
    min(reporting_year) as first_year,
    max(reporting_year) as last_year,
    count(*) as n_reports
from {{ ref('stg_reports') }}
where agency_name is not null
group by agency_name
order by agency_name
