-- Named queries for coaching reports (qa-pipeline report ...). Every query reads scored calls
-- dated from $since to $until (dates, both inclusive; a call's date is the day it started as
-- the manifest says, else the day it was processed) and each call's latest score, as `show`
-- and `export` pick it. Reviewers' overrides stand in for the machine's verdicts (the newest
-- override of an item wins) and a call's score is recomputed where they changed it: reports
-- show the human verdict where there is one, and count how many they used.
-- Aggregates are computed here; the report code in qa_pipeline/reports/ shapes the frames.

-- name: report_period
-- The first and last call dates in the store within the bounds given (either may be null).
with dated as (
    select coalesce(cast(started_at as date), cast(processed_at as date)) as call_date
    from calls
    where status = 'scored'
)

select min(call_date) as since, max(call_date) as until, count(*) as calls
from dated
where ($since is null or call_date >= cast($since as date))
  and ($until is null or call_date <= cast($until as date));

-- name: report_teams
select distinct team
from calls
where status = 'scored' and team is not null
  and ($since is null or coalesce(cast(started_at as date), cast(processed_at as date))
                         >= cast($since as date))
  and ($until is null or coalesce(cast(started_at as date), cast(processed_at as date))
                         <= cast($until as date))
order by team;

-- name: report_agents
select distinct agent_id
from calls
where status = 'scored' and agent_id is not null
  and ($since is null or coalesce(cast(started_at as date), cast(processed_at as date))
                         >= cast($since as date))
  and ($until is null or coalesce(cast(started_at as date), cast(processed_at as date))
                         <= cast($until as date))
order by agent_id;

-- name: report_agent_team
-- The agent's name and team: the team most of their calls in the period were taken for.
with dated as (
    select agent_id, agent_name, team,
           coalesce(cast(started_at as date), cast(processed_at as date)) as call_date
    from calls
    where status = 'scored' and agent_id = $agent_id
),

in_range as (
    select *
    from dated
    where ($since is null or call_date >= cast($since as date))
      and ($until is null or call_date <= cast($until as date))
)

select agent_id,
       mode(agent_name) as agent_name,
       mode(team) as team,
       count(*) as calls
from in_range
group by agent_id;

-- name: report_calls
-- One row per scored call of the period, of one team ($team) or of all ($team null): the score
-- that stands (reviewers' verdicts applied), the machine's, and whether a reviewer changed any.
with in_range as (
    select call_id, agent_id, agent_name, team,
           coalesce(cast(started_at as date), cast(processed_at as date)) as call_date
    from calls
    where status = 'scored' and ($team is null or team = $team)
      and ($since is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             >= cast($since as date))
      and ($until is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             <= cast($until as date))
),

latest_scores as (
    select s.*
    from call_scores as s
    semi join in_range as c using (call_id)
    qualify row_number() over (partition by call_id order by scored_at desc, rubric_id) = 1
),

newest_overrides as (
    select call_id, rubric_sha256, item_id, arg_max(verdict, created_at) as verdict
    from overrides
    group by call_id, rubric_sha256, item_id
),

reviewed_items as (
    -- only calls a reviewer touched are recomputed; the rest keep the stored score
    select i.call_id, i.max_points, i.critical, coalesce(o.verdict, i.verdict) as verdict,
           o.verdict is not null as overridden
    from item_results as i
    join latest_scores as s using (call_id, rubric_sha256)
    semi join (select distinct call_id from newest_overrides) as r using (call_id)
    left join newest_overrides as o using (call_id, rubric_sha256, item_id)
),

reviewed_totals as (
    select call_id,
           sum(case when verdict = 'pass' then max_points else 0 end) as points_earned,
           sum(case when verdict <> 'na' then max_points else 0 end) as points_possible,
           bool_or(critical and verdict = 'fail') as critical_failed,
           count(*) filter (where overridden) as items_overridden
    from reviewed_items
    group by call_id
)

select c.call_id,
       c.call_date as date,
       cast(date_trunc('week', c.call_date) as date) as week,
       c.agent_id, c.agent_name, c.team,
       s.rubric_sha256, s.rubric_id, s.rubric_version,
       s.score as machine_score,
       s.band as machine_band,
       case
           when t.call_id is null then s.score
           when t.points_possible = 0 then null
           when t.critical_failed then 0.0
           else 100.0 * t.points_earned / t.points_possible
       end as score,
       coalesce(t.critical_failed, s.critical_failed) as critical_failed,
       coalesce(t.items_overridden, 0) as items_overridden,
       coalesce(t.items_overridden, 0) > 0 as overridden
from in_range as c
join latest_scores as s using (call_id)
left join reviewed_totals as t using (call_id)
order by c.call_date, c.call_id;

-- name: report_item_counts
-- Verdict counts per agent and item, and per week and item (by_agent says which), over one
-- team ($team) or all. Built for a million calls: item results are joined to their calls once
-- (a call's older scores are left out by an anti join with the few calls scored more than
-- once), and reviewers' overrides, which are few, are applied as corrections to the counts
-- rather than by a join of every item result.
with in_range as (
    select call_id, agent_id, team,
           cast(date_trunc('week', coalesce(cast(started_at as date),
                                            cast(processed_at as date))) as date) as week
    from calls
    where status = 'scored' and ($team is null or team = $team)
      and ($since is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             >= cast($since as date))
      and ($until is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             <= cast($until as date))
),

rescored as (
    select call_id from call_scores group by call_id having count(*) > 1
),

stale_scores as (
    -- every score of a call but its latest
    select call_id, rubric_sha256
    from call_scores
    semi join rescored using (call_id)
    qualify row_number() over (partition by call_id order by scored_at desc, rubric_id) > 1
),

newest_overrides as (
    select call_id, rubric_sha256, item_id, arg_max(verdict, created_at) as verdict
    from overrides
    group by call_id, rubric_sha256, item_id
),

items as (
    select c.agent_id, c.team, c.week, i.item_id, i.position, i.verdict
    from item_results as i
    join in_range as c using (call_id)
    anti join stale_scores using (call_id, rubric_sha256)
),

scoped_overrides as (
    select o.*, c.agent_id, c.team, c.week
    from newest_overrides as o
    join in_range as c using (call_id)
    anti join stale_scores using (call_id, rubric_sha256)
),

corrections as (
    -- the item results of overridden verdicts only: a small table probed by the large one
    select o.agent_id, o.team, o.week, i.item_id, i.verdict as machine, o.verdict as human
    from item_results as i
    join scoped_overrides as o using (call_id, rubric_sha256, item_id)
),

machine_counts as (
    select grouping(week) = 1 as by_agent, agent_id, team, week, item_id,
           min(position) as position,
           count(*) as calls,
           count(*) filter (where verdict = 'pass') as passed,
           count(*) filter (where verdict = 'fail') as failed,
           count(*) filter (where verdict = 'na') as not_applicable
    from items
    group by grouping sets ((agent_id, team, item_id), (week, item_id))
),

human_changes as (
    select grouping(week) = 1 as by_agent, agent_id, team, week, item_id,
           sum(cast(human = 'pass' as integer) - cast(machine = 'pass' as integer)) as passed,
           sum(cast(human = 'fail' as integer) - cast(machine = 'fail' as integer)) as failed,
           sum(cast(human = 'na' as integer) - cast(machine = 'na' as integer))
               as not_applicable,
           count(*) as overridden
    from corrections
    group by grouping sets ((agent_id, team, item_id), (week, item_id))
)

select m.by_agent, m.agent_id, m.team, m.week, m.item_id, m.position, m.calls,
       cast(m.passed + coalesce(h.passed, 0) as bigint) as passed,
       cast(m.failed + coalesce(h.failed, 0) as bigint) as failed,
       cast(m.not_applicable + coalesce(h.not_applicable, 0) as bigint) as not_applicable,
       cast(coalesce(h.overridden, 0) as bigint) as overridden
from machine_counts as m
left join human_changes as h
    on h.by_agent = m.by_agent and h.item_id = m.item_id
   and h.agent_id is not distinct from m.agent_id and h.team is not distinct from m.team
   and h.week is not distinct from m.week
order by m.by_agent desc, m.agent_id, m.week, m.position;

-- name: report_moments
-- An agent's best evidence per item and verdict in the period, for coaching: the most
-- confident verdicts first (a reviewer's verdict before any), each with the earliest evidence
-- span of the item in that call (the words the verdict rests on; a verdict resting on an
-- absence has none and keeps its reason). $per_verdict rows per item and verdict.
with in_range as (
    select call_id
    from calls
    where status = 'scored' and agent_id = $agent_id
      and ($since is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             >= cast($since as date))
      and ($until is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             <= cast($until as date))
),

latest_scores as (
    select s.call_id, s.rubric_sha256
    from call_scores as s
    semi join in_range as c using (call_id)
    qualify row_number() over (partition by call_id order by scored_at desc, rubric_id) = 1
),

newest_overrides as (
    select call_id, rubric_sha256, item_id, arg_max(verdict, created_at) as verdict,
           arg_max(reason, created_at) as reason
    from overrides
    semi join latest_scores using (call_id, rubric_sha256)
    group by call_id, rubric_sha256, item_id
),

verdicts as (
    select i.call_id, i.rubric_sha256, i.item_id, i.confidence,
           coalesce(o.verdict, i.verdict) as verdict,
           o.verdict is not null as overridden,
           coalesce(o.reason, i.reason) as reason
    from item_results as i
    join latest_scores as s using (call_id, rubric_sha256)
    left join newest_overrides as o using (call_id, rubric_sha256, item_id)
),

candidates as (
    -- a human's verdict is the clearest there is, then the machine's most confident
    select *
    from verdicts
    where verdict in ('pass', 'fail')
    qualify row_number() over (
        partition by item_id, verdict order by overridden desc, confidence desc, call_id
    ) <= 4 * $per_verdict
),

first_evidence as (
    select e.call_id, e.rubric_sha256, e.item_id, e.turn_index, e.speaker, e.start_s, e.end_s,
           e.text
    from evidence as e
    semi join candidates using (call_id, rubric_sha256, item_id)
    qualify row_number() over (
        partition by e.call_id, e.rubric_sha256, e.item_id
        order by e.speaker = 'agent' desc, e.start_s, e.evidence_index
    ) = 1
),

ranked as (
    select v.*, e.turn_index, e.speaker, e.start_s, e.end_s, e.text,
           row_number() over (
               partition by v.item_id, v.verdict
               -- words to discuss over an absence
               order by v.overridden desc, e.call_id is not null desc, v.confidence desc,
                        v.call_id
           ) as nth
    from candidates as v
    left join first_evidence as e using (call_id, rubric_sha256, item_id)
)

select item_id, verdict, call_id, turn_index as turn, speaker, start_s as start, end_s as "end",
       text, reason, confidence, overridden
from ranked
where nth <= $per_verdict
order by item_id, verdict, nth;

-- name: report_review_queue
-- Calls a person should look at, with every reason that applies: a critical item failed, the
-- call fell in the rubric's lowest band, a verdict the machine was unsure of, speaker roles it
-- was unsure of, flagged for review, a reviewer disagreed with the machine. Urgency adds the
-- reasons' weights (a critical failure first, then a reviewer's disagreement, ...).
with in_range as (
    select call_id, agent_id, agent_name, team, needs_review, role_confidence,
           coalesce(cast(started_at as date), cast(processed_at as date)) as call_date
    from calls
    where status = 'scored'
      and ($since is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             >= cast($since as date))
      and ($until is null or coalesce(cast(started_at as date), cast(processed_at as date))
                             <= cast($until as date))
),

rescored as (
    select call_id from call_scores group by call_id having count(*) > 1
),

stale_scores as (
    -- every score of a call but its latest (a window over the few calls scored twice)
    select call_id, rubric_sha256
    from call_scores
    semi join rescored using (call_id)
    qualify row_number() over (partition by call_id order by scored_at desc, rubric_id) > 1
),

latest_scores as (
    select s.*
    from call_scores as s
    semi join in_range as c using (call_id)
    anti join stale_scores using (call_id, rubric_sha256)
),

unsure as (
    -- only the unsure verdicts are grouped: most calls have none
    select i.call_id,
           min(i.confidence) as min_confidence,
           arg_min(i.item_id, i.confidence) as least_sure_item
    from item_results as i
    anti join stale_scores using (call_id, rubric_sha256)
    where i.verdict <> 'na' and i.confidence < $min_confidence
    group by i.call_id
),

newest_overrides as (
    select call_id, rubric_sha256, item_id, arg_max(verdict, created_at) as verdict
    from overrides
    group by call_id, rubric_sha256, item_id
),

disagreements as (
    select o.call_id, count(*) as items_disagreed
    from item_results as i
    join newest_overrides as o using (call_id, rubric_sha256, item_id)
    anti join stale_scores using (call_id, rubric_sha256)
    where o.verdict <> i.verdict
    group by o.call_id
),

reasons as (
    select c.call_id, c.call_date, c.agent_id, c.agent_name, c.team,
           s.score, s.band,
           s.critical_failed,
           -- $lowest_bands: 'rubric_sha256:band' of each stored rubric's lowest band
           coalesce(list_contains($lowest_bands, s.rubric_sha256 || ':' || s.band), false)
               as low_band,
           u.call_id is not null as unsure_verdict,
           u.min_confidence, u.least_sure_item,
           coalesce(c.role_confidence < $min_role_confidence, false) as unsure_roles,
           c.role_confidence,
           coalesce(c.needs_review, false) as needs_review,
           coalesce(d.items_disagreed, 0) as items_disagreed
    from in_range as c
    join latest_scores as s using (call_id)
    left join unsure as u using (call_id)
    left join disagreements as d using (call_id)
),

urgent as (
    select *,
           8 * cast(critical_failed as integer)
           + 4 * cast(items_disagreed > 0 as integer)
           + 2 * cast(low_band as integer)
           + 2 * cast(needs_review as integer)
           + cast(unsure_roles as integer)
           + cast(unsure_verdict as integer) as urgency
    from reasons
)

select call_id, call_date as date, agent_id, agent_name, team, score, band, urgency,
       critical_failed, low_band, unsure_verdict, min_confidence, least_sure_item,
       unsure_roles, role_confidence, needs_review, items_disagreed
from urgent
where urgency > 0
order by urgency desc, score asc nulls last, call_date desc, call_id
limit $limit;
