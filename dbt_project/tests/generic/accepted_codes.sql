{#
  The column holds only canonical codes (codes.csv) of one section, optionally restricted to
  some groups or excluding some groups. With code_prefix, values are the codes starting with
  that prefix, written without it (e.g. path 'direct' for group code 'litigation_direct').
  NULL-safe: a null value fails.
#}
{% test accepted_codes(model, column_name, section, groups=none, exclude_groups=none,
                       code_prefix=none) %}
with accepted as (
    select
        {% if code_prefix %}substr(code, {{ code_prefix | length + 1 }}){% else %}code{% endif %}
            as accepted_code
    from {{ ref('stg_codes') }}
    where section = '{{ section }}'
    {% if groups %}
      and code_group in ({% for g in groups %}'{{ g }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {% endif %}
    {% if exclude_groups %}
      and coalesce(code_group, '') not in (
          {% for g in exclude_groups %}'{{ g }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {% endif %}
    {% if code_prefix %}
      and starts_with(code, '{{ code_prefix }}')
    {% endif %}
)

select {{ column_name }} as value_field, count(*) as n_records
from {{ model }} as m
where {{ column_name }} is null
   or not exists (select 1 from accepted as a where a.accepted_code = m.{{ column_name }})
group by {{ column_name }}
{% endtest %}
