-- Proactive disclosure (主动公开, section 二) of reports whose identities hold, as printed:
-- one row per report, item and measure. Null = blank, unless `undecided`: no identity links
-- section 二, so a value the parser could not decide (an ambiguous digit split) stays here,
-- flagged, instead of quarantining the report.
{{ ogi_incremental_by_report() }}

select
    report_id,
    item,
    measure,
    value,
    undecided
from {{ ref('int_proactive_printed') }}
where report_id not in (select report_id from {{ ref('rpt_quarantine') }})
  and {{ ogi_changed('report_id') }}
