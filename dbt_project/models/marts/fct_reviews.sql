-- Administrative reviews (行政复议) of reports whose identities hold.
{{ ogi_incremental_by_report() }}

select
    report_id,
    upheld,
    corrected,
    other,
    pending,
    total
from {{ ref('int_reviews_printed') }}
where review_group = 'review'
  and report_id not in (select report_id from {{ ref('rpt_quarantine') }})
  and {{ ogi_changed('report_id') }}
