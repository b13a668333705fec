{#
  The combination of columns is a key: no two rows share it, and no key column is null
  (NULL-safe: a null key part fails instead of slipping past the uniqueness check).
#}
{% test unique_combination(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
    or not coalesce({{ ogi_all_not_null(columns) }}, false)
{% endtest %}
