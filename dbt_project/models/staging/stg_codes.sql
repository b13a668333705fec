-- "group" is a reserved word: it is carried as code_group below the staging layer.
select
    section,
    "group" as code_group,
    code,
    label_zh,
    label_en,
    template,
    ordinal
from {{ source('ogi', 'codes') }}
