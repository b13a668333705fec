{#
  The combination of columns is a key: no two rows share it, and no key column is null
  (NULL-safe: a null key part fails instead of slipping past the uniqueness check).
  The keys are first hashed to one integer each and sorted, neighbours compared (far cheaper
  than grouping tens of millions of string keys); only the keys whose hash repeats are then
  grouped by their values, so a collision of hashes never fails the test and a repeated key
  always does.
#}
{% test unique_combination(model, columns) %}
{%- set key = columns | join(', ') -%}
with hashes as (
    select hash({{ key }}) as key_hash
    from {{ model }}
),

repeated_hashes as (
    select key_hash
    from (
        select key_hash, lag(key_hash) over (order by key_hash) as previous_hash
        from hashes
    )
    where key_hash = previous_hash
)

select
    {{ key }},
    count(*) as n_records
from {{ model }}
where hash({{ key }}) in (select key_hash from repeated_hashes)
   or not coalesce({{ ogi_all_not_null(columns) }}, false)
group by {{ key }}
having count(*) > 1
    or not coalesce({{ ogi_all_not_null(columns) }}, false)
{% endtest %}
