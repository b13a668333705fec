-- One row per report id of any per-report table: a hash of everything the report's rows in
-- the warehouse are computed from - its reports row (but for fetched_at, which changes on
-- every read), its cells, checks and issues, and the code list. A model built by report
-- (macros/incremental.sql) rebuilds the rows of the reports whose fingerprint changed since it
-- last built them: every report's when the code list changed.
{{ config(materialized='table') }}

with
{% for name in ['reports', 'cells', 'checks', 'issues'] %}
{{ name }} as (
    select
        report_id,
        sum(hash(*columns(* exclude (report_id{{ ', fetched_at' if name == 'reports' }})))::hugeint)
            as h,
        count(*) as n
    from {{ source('ogi', name) }}
    group by report_id
),
{% endfor %}

codes as (
    select sum(hash(*columns(*))::hugeint) as h, count(*) as n
    from {{ source('ogi', 'codes') }}
),

ids as (
    select report_id from reports
    union select report_id from cells
    union select report_id from checks
    union select report_id from issues
)

select
    ids.report_id,
    hash(
        reports.h, reports.n, cells.h, cells.n, checks.h, checks.n, issues.h, issues.n,
        codes.h, codes.n
    ) as fingerprint
from ids
cross join codes
left join reports on reports.report_id = ids.report_id
left join cells on cells.report_id = ids.report_id
left join checks on checks.report_id = ids.report_id
left join issues on issues.report_id = ids.report_id
