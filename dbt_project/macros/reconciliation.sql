{#
  SQL building blocks shared by the reconciliation tests and models.

  NULL-safety: every check is written as `not coalesce(<condition>, false)`, so a comparison
  that evaluates to NULL (an unknown total, a missing row) is a failure, never a pass.
#}

{% macro ogi_sum(columns) -%}
    ({% for c in columns %}coalesce({{ c }}, 0){% if not loop.last %} + {% endif %}{% endfor %})
{%- endmacro %}

{% macro ogi_any_not_null(columns) -%}
    ({% for c in columns %}{{ c }} is not null{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{% macro ogi_all_not_null(columns) -%}
    ({% for c in columns %}{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
     {%- if not columns %}true{% endif %})
{%- endmacro %}

{#
  Rows of `model` where sum(left) = sum(right) does not hold.
  A row is checked when any of its terms is printed (not null); a row with every term blank
  states nothing and is skipped. `required` columns (the totals, 总计) must be printed: a
  blank total is unknown, never 0. With blank_as_zero, other blank terms count as 0;
  without it, any blank term fails the row.
#}
{% macro ogi_balance_failures(model, left, right, required=[], blank_as_zero=false) %}
with checked as (
    select
        *,
        {{ ogi_sum(left) }} as _ogi_lhs,
        {{ ogi_sum(right) }} as _ogi_rhs
    from {{ model }}
    where {{ ogi_any_not_null(left + right) }}
)
select *
from checked
where not coalesce(
    {{ ogi_all_not_null(required) }}
    {% if not blank_as_zero %}and {{ ogi_all_not_null(left + right) }}{% endif %}
    and abs(_ogi_lhs - _ogi_rhs) < 1e-9,
    false
)
{% endmacro %}

{# A number for a human-readable message: 12 rather than 12.0. #}
{% macro ogi_format_number(expr) -%}
    case
        when {{ expr }} is null then 'blank'
        when {{ expr }} = trunc({{ expr }}) then cast(cast({{ expr }} as hugeint) as varchar)
        else cast({{ expr }} as varchar)
    end
{%- endmacro %}

{#
  The reports whose carry-over row in rpt_reconciliation (the model being built) is not the
  one int_carry_over_checks now holds: added, removed or changed because of the report of the
  year before. rpt_reconciliation rebuilds them with the reports whose own inputs changed.
#}
{% macro ogi_carry_over_changes() %}
    {%- set row = 'report_id, identity, "at", lhs, rhs, difference, holds, reading, soft,'
        ~ ' counterpart_report_id' -%}
    {%- set now = 'select ' ~ row ~ ' from ' ~ ref('int_carry_over_checks') -%}
    {%- set built = 'select ' ~ row ~ ' from ' ~ this ~ " where identity = 'carry_over'" -%}
    select report_id from ({{ now }} except {{ built }})
    union
    select report_id from ({{ built }} except {{ now }})
{% endmacro %}
