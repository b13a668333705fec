select
    reports.report_id,
    reports.source,
    reports.sha256,
    reports.raw_path,
    reports.bytes,
    reports.title,
    reports.agency,
    reports.year,
    reports.agency_name,
    reports.reporting_year,
    reports.catalog_agency,
    reports.catalog_region_code,
    reports.catalog_level,
    reports.catalog_year,
    reports.template_proactive,
    reports.template_applications,
    reports.status,
    reports.fetch_status,
    reports.error,
    reports.n_cells,
    reports.n_issues,
    reports.n_checks_failed,
    reports.parser_version,
    reports.parsed_at,
    quarantine.report_id is not null as is_quarantined,
    quarantine.reason as quarantine_reason
from {{ ref('stg_reports') }} as reports
left join {{ ref('rpt_quarantine') }} as quarantine
    on quarantine.report_id = reports.report_id
order by reports.report_id
