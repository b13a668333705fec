select
    reports.report_id,
    reports.source,
    reports.linked_from,
    reports.final_url,
    reports.http_status,
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
    reports.fetch_error,
    reports.fetched_at,
    reports.error,
    reports.n_cells,
    reports.n_issues,
    reports.n_checks_failed,
    reports.n_checks_undecided,
    reports.parser_version,
    reports.parsed_at,
    quarantine.report_id is not null as is_quarantined,
    quarantine.reason as quarantine_reason,
    revised.report_id is not null as is_revised
from {{ ref('stg_reports') }} as reports
left join {{ ref('rpt_quarantine') }} as quarantine
    on quarantine.report_id = reports.report_id
left join (
    select distinct report_id
    from {{ ref('stg_issues') }}
    where code = 'revised_report'
) as revised
    on revised.report_id = reports.report_id
order by reports.report_id
