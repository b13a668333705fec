select
    report_id,
    section,
    row_code,
    col_code,
    cast(value as double) as value,
    raw,
    method
from {{ source('ogi', 'cells') }}
