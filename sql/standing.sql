-- The call_standing and item_standing tables (see schema.sql): which calls to recompute go
-- into the temp table standing_wanted, then refresh_standing rewrites their rows from calls,
-- their latest score, its item results and reviewers' overrides. Store runs these inside the
-- write that changed the calls, so the tables never disagree with what they are derived from.

-- name: want_standing_for
create or replace temp table standing_wanted as
select distinct unnest($call_ids::varchar[]) as call_id;

-- name: want_standing_missing
-- Scored calls without their rows: a store written before the tables (or item_standing and
-- call_standing's later columns) existed, or synthetic calls.
create or replace temp table standing_wanted as
select call_id
from calls
where status = 'scored'
  and (call_id not in (select call_id from call_standing)
       or call_id not in (select call_id from item_standing));

-- name: refresh_standing
delete from call_standing where call_id in (select call_id from standing_wanted);
delete from item_standing where call_id in (select call_id from standing_wanted);

create or replace temp table standing_calls as
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
)

select c.call_id,
       coalesce(cast(c.started_at as date), cast(c.processed_at as date)) as call_date,
       coalesce(c.started_at, c.processed_at) as call_time,
       c.agent_id, c.agent_name, c.team, c.duration_s, c.role_confidence,
       coalesce(c.needs_review, false) as needs_review,
       s.rubric_sha256, s.rubric_id, s.rubric_version,
       s.score as machine_score, s.band as machine_band, s.critical_failed as machine_critical
from wanted_calls as c
join latest_scores as s using (call_id);

create or replace temp table standing_items as
with newest_overrides as (
    select call_id, rubric_sha256, item_id, arg_max(verdict, created_at) as verdict
    from overrides
    semi join standing_calls using (call_id, rubric_sha256)
    group by call_id, rubric_sha256, item_id
)

select i.call_id, i.rubric_sha256, c.call_date, c.agent_id, c.team, i.item_id, i.position,
       i.verdict as machine_verdict, coalesce(o.verdict, i.verdict) as verdict,
       o.verdict is not null as overridden, i.confidence, i.max_points, i.critical
from item_results as i
join standing_calls as c using (call_id, rubric_sha256)
left join newest_overrides as o using (call_id, rubric_sha256, item_id);

insert into item_standing by name
select * exclude (max_points, critical) from standing_items;

insert into call_standing by name
with totals as (
    select call_id,
           sum(case when verdict = 'pass' then max_points else 0 end) as points_earned,
           sum(case when verdict <> 'na' then max_points else 0 end) as points_possible,
           bool_or(critical and verdict = 'fail') as critical_failed,
           coalesce(list(item_id order by position) filter (where verdict = 'fail'), [])
               as failed_items,
           count(*) filter (where overridden) as items_overridden,
           count(*) filter (where overridden and verdict <> machine_verdict)
               as items_disagreed,
           -- the machine's least sure verdict a reviewer has not judged
           min(confidence) filter (where not overridden and machine_verdict <> 'na')
               as min_confidence,
           arg_min(item_id, confidence) filter (where not overridden and machine_verdict <> 'na')
               as least_sure_item
    from standing_items
    group by call_id
),

rereview as (
    -- items a reviewer judged under another rubric than the one that scored the call last,
    -- with no verdict since under the current one: the rubric changed under their review
    select o.call_id, count(distinct o.item_id) as rereview_items
    from overrides as o
    join standing_calls as s using (call_id)
    where o.rubric_sha256 <> s.rubric_sha256
      and not exists (
          select 1
          from overrides as n
          where n.call_id = o.call_id and n.item_id = o.item_id
            and n.rubric_sha256 = s.rubric_sha256
      )
    group by o.call_id
),

standing as (
    select c.* exclude (machine_critical),
           case
               when coalesce(t.items_overridden, 0) = 0 then c.machine_score
               when t.points_possible = 0 then null
               when t.critical_failed then 0.0
               else 100.0 * t.points_earned / t.points_possible
           end as score,
           coalesce(t.critical_failed, c.machine_critical) as critical_failed,
           coalesce(t.failed_items, []) as failed_items,
           coalesce(t.items_overridden, 0) as items_overridden,
           coalesce(t.items_disagreed, 0) as items_disagreed,
           coalesce(r.rereview_items, 0) as rereview_items,
           t.min_confidence, t.least_sure_item
    from standing_calls as c
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

drop table standing_items;
drop table standing_calls;
drop table standing_wanted;

-- name: insert_rubric_bands
insert into rubric_bands by name
select * from new_rubric_bands
where rubric_sha256 not in (select rubric_sha256 from rubric_bands);

-- name: rubrics_without_bands
select rubric_sha256, source_text
from rubrics
where rubric_sha256 not in (select rubric_sha256 from rubric_bands);
