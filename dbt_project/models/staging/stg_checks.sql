select
    report_id,
    identity,
    "at",
    cast(lhs as double) as lhs,
    cast(rhs as double) as rhs,
    cast(difference as double) as difference,
    holds,
    reading,
    soft,
    undecided
from {{ source('ogi', 'checks') }}
