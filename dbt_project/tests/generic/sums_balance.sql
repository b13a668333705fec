{#
  sum(left) = sum(right), row by row (e.g. the ledger: new_requests + carried_over =
  total_processed + carried_forward). `required` lists columns that must be printed whenever
  the row is checked (totals); with blank_as_zero, other blank terms count as 0.
#}
{% test sums_balance(model, left, right, required=[], blank_as_zero=false) %}
{{ ogi_balance_failures(model, left, right, required=required, blank_as_zero=blank_as_zero) }}
{% endtest %}
