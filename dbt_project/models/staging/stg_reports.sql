-- One row per report. agency_name / reporting_year are the keys used across reports
-- (dim_agencies, the cross-year carry-over check).
select
    report_id,
    source,
    sha256,
    raw_path,
    bytes,
    title,
    agency,
    year,
    catalog_agency,
    catalog_region_code,
    catalog_level,
    catalog_year,
    template_proactive,
    template_applications,
    status,
    fetch_status,
    error,
    n_cells,
    n_issues,
    n_checks_failed,
    parser_version,
    parsed_at,
    coalesce(nullif(trim(catalog_agency), ''), nullif(trim(agency), '')) as agency_name,
    coalesce(year, catalog_year) as reporting_year
from {{ source('ogi', 'reports') }}
