-- Named queries for coaching reports (qa-pipeline report ...). Every query reads scored calls
-- dated from $since to $until (dates, both inclusive; a call's date is the day it started as
-- the manifest says, else the day it was processed) and each call's latest score, as `show`
-- and `export` pick it. Reviewers' overrides stand in for the machine's verdicts (the newest
-- override of an item wins) and a call's score is recomputed where they changed it: reports
-- show the human verdict where there is one, and count how many they used. Both come from
-- call_standing and item_standing (sql/standing.sql), which the store keeps with every write,
-- so a report reads a table of calls or of verdicts rather than joining ten million results.
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
select call_id,
       call_date as date,
       cast(date_trunc('week', call_date) as date) as week,
       agent_id, agent_name, team, rubric_sha256, rubric_id, rubric_version,
       machine_score, machine_band, score, critical_failed, items_overridden,
       items_overridden > 0 as overridden
from call_standing
where ($team is null or team = $team)
  and ($since is null or call_date >= cast($since as date))
  and ($until is null or call_date <= cast($until as date))
order by call_date, call_id;

-- name: report_item_counts
-- Verdict counts per agent and item, and per week and item (by_agent says which), over one
-- team ($team) or all: the verdicts that stand (a reviewer's where there is one), from
-- item_standing, which holds each call's date, agent and team beside its verdicts.
with in_range as (
    select agent_id, team, item_id, position, verdict, overridden,
           cast(date_trunc('week', call_date) as date) as week
    from item_standing
    where ($team is null or team = $team)
      and ($since is null or call_date >= cast($since as date))
      and ($until is null or call_date <= cast($until as date))
)

select grouping(week) = 1 as by_agent, agent_id, team, week, item_id,
       min(position) as position,
       count(*) as calls,
       count(*) filter (where verdict = 'pass') as passed,
       count(*) filter (where verdict = 'fail') as failed,
       count(*) filter (where verdict = 'na') as not_applicable,
       count(*) filter (where overridden) as overridden
from in_range
group by grouping sets ((agent_id, team, item_id), (week, item_id))
order by by_agent desc, agent_id, week, position;

-- name: report_moments
-- An agent's best evidence per item and verdict in the period, for coaching: the most
-- confident verdicts first (a reviewer's verdict before any), each with the earliest evidence
-- span of the item in that call (the words the verdict rests on; a verdict resting on an
-- absence has none and keeps its reason). $per_verdict rows per item and verdict.
with candidates as (
    -- a human's verdict is the clearest there is, then the machine's most confident
    select call_id, rubric_sha256, item_id, verdict, overridden, confidence
    from item_standing
    where agent_id = $agent_id and verdict in ('pass', 'fail')
      and ($since is null or call_date >= cast($since as date))
      and ($until is null or call_date <= cast($until as date))
    qualify row_number() over (
        partition by item_id, verdict order by overridden desc, confidence desc, call_id
    ) <= 4 * $per_verdict
),

reasons as (
    -- the reviewer's comment where the verdict is theirs, else the machine's reason
    select i.call_id, i.rubric_sha256, i.item_id,
           coalesce(
               (select arg_max(o.reason, o.created_at)
                from overrides as o
                where o.call_id = i.call_id and o.rubric_sha256 = i.rubric_sha256
                  and o.item_id = i.item_id),
               i.reason
           ) as reason
    from item_results as i
    semi join candidates using (call_id, rubric_sha256, item_id)
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
    select v.*, r.reason, e.turn_index, e.speaker, e.start_s, e.end_s, e.text,
           row_number() over (
               partition by v.item_id, v.verdict
               -- words to discuss over an absence
               order by v.overridden desc, e.call_id is not null desc, v.confidence desc,
                        v.call_id
           ) as nth
    from candidates as v
    join reasons as r using (call_id, rubric_sha256, item_id)
    left join first_evidence as e using (call_id, rubric_sha256, item_id)
)

select item_id, verdict, call_id, turn_index as turn, speaker, start_s as start, end_s as "end",
       text, reason, confidence, overridden
from ranked
where nth <= $per_verdict
order by item_id, verdict, nth;

-- name: report_review_queue
-- Calls a person should look at, with every reason that applies: a critical item failed, the
-- call fell in the rubric's lowest band, a verdict the machine was unsure of (one no reviewer
-- has judged yet), speaker roles it was unsure of, flagged for review, a reviewer disagreed
-- with the machine. Scores, bands and critical failures are the ones that stand. Urgency adds
-- the reasons' weights (a critical failure first, then a reviewer's disagreement, ...).
with reasons as (
    select call_id, call_date, agent_id, agent_name, team, score, band, critical_failed,
           -- $lowest_bands: 'rubric_sha256:band' of each stored rubric's lowest band
           coalesce(list_contains($lowest_bands, rubric_sha256 || ':' || band), false)
               as low_band,
           coalesce(min_confidence < $min_confidence, false) as unsure_verdict,
           min_confidence, least_sure_item,
           coalesce(role_confidence < $min_role_confidence, false) as unsure_roles,
           role_confidence, needs_review, items_disagreed
    from call_standing
    where ($since is null or call_date >= cast($since as date))
      and ($until is null or call_date <= cast($until as date))
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
       critical_failed, low_band, unsure_verdict,
       case when unsure_verdict then min_confidence end as min_confidence,
       case when unsure_verdict then least_sure_item end as least_sure_item,
       unsure_roles, role_confidence, needs_review, items_disagreed
from urgent
where urgency > 0
order by urgency desc, score asc nulls last, call_date desc, call_id
limit $limit;
