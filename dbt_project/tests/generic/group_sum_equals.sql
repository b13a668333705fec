{#
  For each group (group_by), the sum of the column over the rows matching parts_where equals
  one total value: compare_column of the row of compare_model (default: the same model)
  matching compare_where with the same group keys.

  Used for identities that run across rows of a long table: the applicant total column
  (总计) against the six applicant columns, and total_processed against the disposition leaves.

  NULL-safe: a group is checked when any part or the total is printed; it fails when the total
  is blank or missing, when the parts are missing entirely while a non-zero total is printed,
  and (without blank_as_zero) when any part is blank.
#}
{% test group_sum_equals(model, column_name, group_by, compare_model=none, compare_column=none,
                         parts_where='true', compare_where='true', blank_as_zero=false) %}
{%- set compare_model = compare_model if compare_model is not none else model -%}
{%- set compare_column = compare_column if compare_column is not none else column_name -%}
with parts as (
    select
        {{ group_by | join(', ') }},
        count({{ column_name }}) as n_printed,
        count(*) as n_rows,
        sum({{ column_name }}) as part_sum
    from {{ model }}
    where {{ parts_where }}
    group by {{ group_by | join(', ') }}
),

totals as (
    select
        {{ group_by | join(', ') }},
        {{ compare_column }} as total_value
    from {{ compare_model }}
    where {{ compare_where }}
),

joined as (
    select
        {% for g in group_by %}coalesce(p.{{ g }}, t.{{ g }}) as {{ g }},
        {% endfor -%}
        p.n_printed,
        p.n_rows,
        p.part_sum,
        t.total_value
    from parts as p
    full outer join totals as t
        on {% for g in group_by %}p.{{ g }} = t.{{ g }}{% if not loop.last %} and {% endif %}{% endfor %}
)

select *
from joined
where (coalesce(n_printed, 0) > 0 or total_value is not null)
  and not coalesce(
      total_value is not null
      {% if not blank_as_zero %}and n_printed = n_rows{% endif %}
      and abs(coalesce(part_sum, 0) - total_value) < 1e-9,
      false
  )
{% endtest %}
