-- The call_standing table (see schema.sql): which calls to recompute go into the temp table
-- standing_wanted, then refresh_standing rewrites their rows from calls, their latest score,
-- its item results and reviewers' overrides. Store runs these inside the write that changed
-- the call, so the table never disagrees with what it is derived from.

-- name: want_standing_for
create or replace temp table standing_wanted as
select distinct unnest($call_ids::varchar[]) as call_id;

-- name: want_standing_missing
-- Scored calls without a row: a store written before the table existed, or synthetic calls.
create or replace temp table standing_wanted as
select call_id
from calls
where status = 'scored'
  and call_id not in (select call_id from call_standing);

-- name: refresh_standing
delete from call_standing where call_id in (select call_id from standing_wanted);

insert into call_standing by name
with wanted_calls as (
    select c.*
    from calls as c
    semi join standing_wanted using (call_id)
    where c.status = 'scored'
),

latest_scores as (
    -- as `show` picks it: the newest, ties to the rubric id's order
    select s.*
    from call_scores as s
    semi join wanted_calls using (call_id)
    qualify row_number() over (partition by call_id order by scored_at desc, rubric_id) = 1
),

newest_overrides as (
    select call_id, rubric_sha256, item_id, arg_max(verdict, created_at) as verdict,
           max(created_at) as reviewed_at
    from overrides
    semi join wanted_calls using (call_id)
    group by call_id, rubric_sha256, item_id
),

verdicts as (
    select i.call_id, i.item_id, i.position, i.max_points, i.critical, i.confidence,
           i.verdict as machine, coalesce(o.verdict, i.verdict) as verdict,
           o.verdict is not null as overridden
    from item_results as i
    join latest_scores as s using (call_id, rubric_sha256)
    left join newest_overrides as o using (call_id, rubric_sha256, item_id)
),

totals as (
    select call_id,
           sum(case when verdict = 'pass' then max_points else 0 end) as points_earned,
           sum(case when verdict <> 'na' then max_points else 0 end) as points_possible,
           bool_or(critical and verdict = 'fail') as critical_failed,
           coalesce(list(item_id order by position) filter (where verdict = 'fail'), [])
               as failed_items,
           count(*) filter (where overridden) as items_overridden,
           min(confidence) filter (where not overridden and machine <> 'na') as min_confidence
    from verdicts
    group by call_id
),

rereview as (
    -- items a reviewer judged under another rubric than the one that scored the call last,
    -- with no verdict since under the current one: the rubric changed under their review
    select o.call_id, count(distinct o.item_id) as rereview_items
    from newest_overrides as o
    join latest_scores as s using (call_id)
    where o.rubric_sha256 <> s.rubric_sha256
      and not exists (
          select 1
          from newest_overrides as n
          where n.call_id = o.call_id and n.item_id = o.item_id
            and n.rubric_sha256 = s.rubric_sha256
      )
    group by o.call_id
),

standing as (
    select c.call_id,
           coalesce(cast(c.started_at as date), cast(c.processed_at as date)) as call_date,
           coalesce(c.started_at, c.processed_at) as call_time,
           c.agent_id, c.agent_name, c.team, c.duration_s,
           s.rubric_sha256, s.rubric_id, s.rubric_version,
           s.score as machine_score, s.band as machine_band,
           case
               when coalesce(t.items_overridden, 0) = 0 then s.score
               when t.points_possible = 0 then null
               when t.critical_failed then 0.0
               else 100.0 * t.points_earned / t.points_possible
           end as score,
           coalesce(t.critical_failed, s.critical_failed) as critical_failed,
           coalesce(t.failed_items, []) as failed_items,
           coalesce(t.items_overridden, 0) as items_overridden,
           coalesce(r.rereview_items, 0) as rereview_items,
           t.min_confidence, c.role_confidence,
           coalesce(c.needs_review, false) as needs_review
    from wanted_calls as c
    join latest_scores as s using (call_id)
    left join totals as t using (call_id)
    left join rereview as r using (call_id)
),

rebanded as (
    -- a score reviewers changed gets its band again from the rubric's bands
    select s.call_id, b.band
    from standing as s
    join rubric_bands as b
        on b.rubric_sha256 = s.rubric_sha256 and s.score >= b.min_score
    where s.items_overridden > 0
    qualify row_number() over (partition by s.call_id order by b.min_score desc) = 1
)

select s.*,
       case when s.items_overridden = 0 then s.machine_band else r.band end as band
from standing as s
left join rebanded as r using (call_id);

drop table standing_wanted;

-- name: insert_rubric_bands
insert into rubric_bands by name
select * from new_rubric_bands
where rubric_sha256 not in (select rubric_sha256 from rubric_bands);

-- name: rubrics_without_bands
select rubric_sha256, source_text
from rubrics
where rubric_sha256 not in (select rubric_sha256 from rubric_bands);
