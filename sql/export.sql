-- Named queries for analysts' exports (qa-pipeline export): tidy tables, one row per call, per
-- call and rubric item, per evidence span. Each call's results are those of its latest score
-- (as `show` picks it). Reviewers' overrides are applied, newest first, and marked:
-- machine_verdict is the machine's, verdict the one that stands, overridden says which.
-- A call's date is the day it started (as written in the manifest), else the day it was
-- processed; $since and $until (dates, either may be null) bound it, both inclusive.

-- name: export_calls
with dated as (
    select *, coalesce(cast(started_at as date), cast(processed_at as date)) as call_date
    from calls
),

in_range as (
    select *
    from dated
    where ($since is null or call_date >= cast($since as date))
      and ($until is null or call_date <= cast($until as date))
),

ranked_scores as (
    select *, row_number() over (partition by call_id order by scored_at desc, rubric_id) as nth
    from call_scores
),

latest_scores as (
    select * from ranked_scores where nth = 1
),

ranked_overrides as (
    select *,
           row_number() over (
               partition by call_id, rubric_sha256, item_id order by created_at desc
           ) as nth
    from overrides
),

items as (
    select i.call_id, i.rubric_sha256, i.max_points, i.critical,
           coalesce(o.verdict, i.verdict) as verdict,
           o.verdict is not null as overridden
    from item_results as i
    join latest_scores as s using (call_id, rubric_sha256)
    left join ranked_overrides as o
        on o.call_id = i.call_id and o.rubric_sha256 = i.rubric_sha256
       and o.item_id = i.item_id and o.nth = 1
),

totals as (
    select call_id,
           sum(case when verdict = 'pass' then max_points else 0 end) as points_earned,
           sum(case when verdict <> 'na' then max_points else 0 end) as points_possible,
           bool_or(critical and verdict = 'fail') as critical_failed,
           count(*) filter (where overridden) as items_overridden
    from items
    group by call_id
)

select c.call_id,
       c.call_date as date,
       strftime(c.call_date, '%Y-%m') as month,
       c.started_at, c.started_at_utc_offset_s, c.processed_at, c.status, c.error_code,
       c.duration_s,
       c.source_kind, c.source_path, c.engine, c.layout,
       c.agent_id, c.agent_name, c.team, c.queue,
       c.role_method, c.role_confidence, c.needs_review,
       s.rubric_id, s.rubric_version, s.rubric_sha256,
       s.score as machine_score,
       s.band as machine_band,
       case
           when t.points_possible = 0 then null
           when t.critical_failed then 0.0
           else 100.0 * t.points_earned / t.points_possible
       end as score,
       case when t.critical_failed then 0.0 else t.points_earned end as points_earned,
       t.points_possible,
       t.critical_failed,
       coalesce(t.items_overridden, 0) as items_overridden,
       coalesce(t.items_overridden, 0) > 0 as overridden
from in_range as c
left join latest_scores as s using (call_id)
left join totals as t using (call_id)
order by c.call_date, c.call_id;

-- name: export_item_results
with dated as (
    select call_id, coalesce(cast(started_at as date), cast(processed_at as date)) as call_date
    from calls
),

in_range as (
    select *
    from dated
    where ($since is null or call_date >= cast($since as date))
      and ($until is null or call_date <= cast($until as date))
),

ranked_scores as (
    select *, row_number() over (partition by call_id order by scored_at desc, rubric_id) as nth
    from call_scores
),

latest_scores as (
    select * from ranked_scores where nth = 1
),

ranked_overrides as (
    select *,
           row_number() over (
               partition by call_id, rubric_sha256, item_id order by created_at desc
           ) as nth
    from overrides
)

select i.call_id,
       d.call_date as date,
       strftime(d.call_date, '%Y-%m') as month,
       s.rubric_id, s.rubric_version, i.rubric_sha256,
       i.item_id, i.position,
       i.verdict as machine_verdict,
       coalesce(o.verdict, i.verdict) as verdict,
       o.verdict is not null as overridden,
       i.points as machine_points,
       case when coalesce(o.verdict, i.verdict) = 'pass' then i.max_points else 0.0 end as points,
       i.max_points, i.confidence, i.critical, i.reason,
       o.reviewer, o.reason as override_reason, o.created_at as overridden_at
from item_results as i
join latest_scores as s using (call_id, rubric_sha256)
join in_range as d using (call_id)
left join ranked_overrides as o
    on o.call_id = i.call_id and o.rubric_sha256 = i.rubric_sha256
   and o.item_id = i.item_id and o.nth = 1
order by d.call_date, i.call_id, i.position;

-- name: export_evidence
with dated as (
    select call_id, coalesce(cast(started_at as date), cast(processed_at as date)) as call_date
    from calls
),

in_range as (
    select *
    from dated
    where ($since is null or call_date >= cast($since as date))
      and ($until is null or call_date <= cast($until as date))
),

ranked_scores as (
    select *, row_number() over (partition by call_id order by scored_at desc, rubric_id) as nth
    from call_scores
),

latest_scores as (
    select * from ranked_scores where nth = 1
),

ranked_overrides as (
    select *,
           row_number() over (
               partition by call_id, rubric_sha256, item_id order by created_at desc
           ) as nth
    from overrides
)

select e.call_id,
       d.call_date as date,
       strftime(d.call_date, '%Y-%m') as month,
       e.rubric_sha256, e.item_id, e.evidence_index,
       e.turn_index, e.speaker, e.start_s, e.end_s, e.text, e.detector,
       i.verdict as machine_verdict,
       coalesce(o.verdict, i.verdict) as verdict,
       o.verdict is not null as overridden
from evidence as e
join latest_scores as s using (call_id, rubric_sha256)
join in_range as d using (call_id)
join item_results as i using (call_id, rubric_sha256, item_id)
left join ranked_overrides as o
    on o.call_id = e.call_id and o.rubric_sha256 = e.rubric_sha256
   and o.item_id = e.item_id and o.nth = 1
order by d.call_date, e.call_id, e.item_id, e.evidence_index;

-- name: export_rubric_bands
-- Each exported rubric's source, so a score changed by overrides gets its band again.
select rubric_sha256, source_text
from rubrics;
