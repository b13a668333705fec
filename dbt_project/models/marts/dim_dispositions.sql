select
    code,
    code_group as "group",
    label_zh,
    label_en,
    template,
    ordinal
from {{ ref('stg_codes') }}
where section = 'applications' and coalesce(code_group, '') <> 'ledger'
order by ordinal
