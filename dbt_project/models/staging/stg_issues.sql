select
    report_id,
    severity,
    code,
    message
from {{ source('ogi', 'issues') }}
