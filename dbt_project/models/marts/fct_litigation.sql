-- Administrative litigation (行政诉讼) of reports whose identities hold, by path:
-- 'direct' (未经复议直接起诉) and 'after_review' (复议后起诉).
{{ ogi_incremental_by_report() }}

select
    report_id,
    substr(review_group, length('litigation_') + 1) as path,
    upheld,
    corrected,
    other,
    pending,
    total
from {{ ref('int_reviews_printed') }}
where starts_with(review_group, 'litigation_')
  and report_id not in (select report_id from {{ ref('rpt_quarantine') }})
  and {{ ogi_changed('report_id') }}
