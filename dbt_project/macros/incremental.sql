{#
  Tables kept up to date report by report (materialized='incremental').

  A model that calls `ogi_incremental_by_report()` holds rows keyed by report_id, each a
  function of that one report's inputs (its reports row, cells, checks, issues) and of the
  code list. A build then rewrites only the rows of the reports whose inputs changed:

  * `stg_report_fingerprints` hashes every report's inputs (fetched_at aside: it changes on
    every read) and the code list.
  * `_ogi_built_reports` holds, per model, the fingerprint of each report as the model last
    built it; `_ogi_built_models` the digest of the model's SQL (see `ogi_model_digest`).
  * Before the model runs (pre-hook), the reports whose fingerprint differs from the one it
    built, new and removed reports included, go to the temporary table ogi_changed_reports
    (with `also`: the report ids that macro selects too), and their rows are deleted.
  * The model's select keeps the rows of those reports only (`ogi_changed('x.report_id')`)
    and they are appended; after it (post-hook, in the same transaction), their fingerprints
    are recorded.
  * The model is rebuilt in full (`should_full_refresh`) with --full-refresh, when nothing is
    recorded for it, when its digest changed (its SQL, the SQL of any model upstream or a macro
    of this project: an incremental build therefore gives the rows of a full build), and when
    more than half of the reports changed (a new parser, a new code list), which a full build
    does faster.

  Each model keeps its own record, so building a selection of models never leaves another
  model behind, and a build that fails before a model's transaction commits leaves that model
  and its record as they were.
#}

{% macro ogi_state_table(name) -%}
    {{ target.schema }}.{{ name }}
{%- endmacro %}

{# on-run-start: the records of the incremental models. #}
{% macro ogi_create_state() %}
    create table if not exists {{ ogi_state_table('_ogi_built_reports') }} (
        model varchar, report_id varchar, fingerprint ubigint
    );
    create table if not exists {{ ogi_state_table('_ogi_built_models') }} (
        model varchar, digest varchar
    );
{% endmacro %}

{# The configuration of a model kept up to date report by report. `also`: the name of a macro
   selecting more report ids to rebuild (reports whose rows depend on other reports). #}
{% macro ogi_incremental_by_report(also=none) %}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        ogi_by_report=true,
        pre_hook="{{ ogi_prepare_increment(" ~ ((also | tojson) if also else 'none') ~ ") }}",
        post_hook="{{ ogi_record_increment() }}",
    ) }}
    {#- the hooks read the fingerprints: built before this model (a unit test runs no hook) #}
    {%- if model.resource_type != 'unit_test' %}
    -- depends_on: {{ ref('stg_report_fingerprints') }}
    {%- endif %}
{% endmacro %}

{# In the model's where clause: true in a full build (and in a unit test), else only the
   reports to rebuild. #}
{% macro ogi_changed(column) -%}
    {%- if model.resource_type != 'unit_test' and is_incremental() -%}
        {{ column }} in (select report_id from temp.main.ogi_changed_reports)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro ogi_prepare_increment(also=none) %}
    {%- if is_incremental() %}
        create or replace temp table ogi_changed_reports as
        select report_id from ({{ ogi_fingerprint_changes() }}) where changed
        {%- if also %}
        union
        {{ context[also]() }}
        {%- endif %};
        delete from {{ this }}
        where report_id in (select report_id from temp.main.ogi_changed_reports);
    {%- else %}
        create or replace temp table ogi_changed_reports as
        select report_id from {{ ref('stg_report_fingerprints') }};
    {%- endif %}
{% endmacro %}

{# Every report id of the fingerprints or of the model's record, and whether its fingerprint
   is not the one the model was built from (new and removed reports included). #}
{% macro ogi_fingerprint_changes() %}
    select
        coalesce(now.report_id, built.report_id) as report_id,
        now.fingerprint is distinct from built.fingerprint as changed
    from {{ ref('stg_report_fingerprints') }} as now
    full outer join (
        select report_id, fingerprint
        from {{ ogi_state_table('_ogi_built_reports') }}
        where model = '{{ this.identifier }}'
    ) as built
        on built.report_id = now.report_id
{% endmacro %}

{% macro ogi_record_increment() %}
    {%- set built = ogi_state_table('_ogi_built_reports') -%}
    {%- set fingerprints = ref('stg_report_fingerprints') -%}
    delete from {{ built }}
    where model = '{{ this.identifier }}'
      and (report_id in (select report_id from temp.main.ogi_changed_reports)
           or report_id not in (select report_id from {{ fingerprints }}));
    insert into {{ built }}
    select '{{ this.identifier }}', report_id, fingerprint
    from {{ fingerprints }}
    where report_id in (select report_id from temp.main.ogi_changed_reports);
    delete from {{ ogi_state_table('_ogi_built_models') }} where model = '{{ this.identifier }}';
    insert into {{ ogi_state_table('_ogi_built_models') }}
    values ('{{ this.identifier }}', '{{ ogi_model_digest() }}');
    drop table temp.main.ogi_changed_reports;
{% endmacro %}

{#
  The digest of how a model's rows are computed: its SQL and that of every model upstream, and
  the macros of this project (tests aside). The data (the code list included) is in the
  fingerprints.
#}
{% macro ogi_model_digest() %}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- set seen = {} -%}
    {%- set queue = [model.unique_id] -%}
    {%- for uid in queue if uid not in seen -%}
        {%- do seen.update({uid: true}) -%}
        {%- set node = graph.nodes.get(uid) or graph.sources.get(uid) -%}
        {%- if node -%}
            {%- do parts.append(uid ~ '\n' ~ (node.raw_code or '') ~ '\n' ~ (node.config.materialized or '')) -%}
            {%- for parent in (node.depends_on or {}).get('nodes', []) -%}
                {%- do queue.append(parent) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, value in context.items() -%}
        {%- if value.macro is defined and value.macro.package_name == project_name
              and not name.startswith('test_') -%}
            {%- do parts.append(name ~ '\n' ~ value.macro.macro_sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(local_md5(parts | sort | join('\n\n'))) -}}
{% endmacro %}

{#
  dbt's should_full_refresh, and for a model built by report also (decided once a build, at the
  first question): nothing recorded for it, the SQL it is computed by changed since
  (ogi_model_digest), or more than half of the reports changed (then building the table anew
  costs less than rewriting their rows).
#}
{% macro should_full_refresh() %}
    {%- set full_refresh = config.get('full_refresh') -%}
    {%- if full_refresh is none -%}
        {%- set full_refresh = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- if not full_refresh and execute and config.get('ogi_by_report') -%}
        {%- set decided = graph.setdefault('ogi_built_in_full', {}) -%}
        {%- if model.unique_id not in decided -%}
            {%- do decided.update({model.unique_id: ogi_build_in_full()}) -%}
        {%- endif -%}
        {%- set full_refresh = decided[model.unique_id] -%}
    {%- endif -%}
    {{- return(full_refresh) -}}
{% endmacro %}

{% macro ogi_build_in_full() %}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() where schema_name = '" ~ target.schema
        ~ "' and table_name = '_ogi_built_models'"
    ) -%}
    {%- if found.columns[0].values()[0] == 0 -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- set recorded = run_query(
        "select digest from " ~ ogi_state_table('_ogi_built_models')
        ~ " where model = '" ~ this.identifier ~ "'"
    ) -%}
    {%- if not recorded.rows or recorded.columns[0].values()[0] != ogi_model_digest() -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- set changes = run_query(
        "select count(*) filter (where changed), count(*) from ("
        ~ ogi_fingerprint_changes() ~ ")"
    ) -%}
    {{- return(changes.rows[0][0] * 2 > changes.rows[0][1]) -}}
{% endmacro %}
