{#
  The column (a total, 总计) equals the sum of `parts`, row by row.
  The total itself must be printed; with blank_as_zero, blank parts count as 0.
  Rows where the total and every part are blank are skipped (nothing is stated).
#}
{% test sum_equals(model, column_name, parts, blank_as_zero=false) %}
{{ ogi_balance_failures(model, [column_name], parts, required=[column_name], blank_as_zero=blank_as_zero) }}
{% endtest %}
