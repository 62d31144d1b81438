-- Synthetic scored calls for benchmarks and report tests (qa_pipeline/store/synthetic.py):
-- calls spread over agents, teams and days, each with one verdict per item, evidence, a few
-- reviewers' overrides. Deterministic: every "random" draw is a hash of the call and item
-- (as one string: hashes of tuples sharing a value are correlated).
-- The first statement takes the parameters; the others read them from synth_params.

-- name: synthetic_calls
create or replace temp table synth_params as
select cast($calls as bigint) as calls,
       cast($agents as bigint) as agents,
       cast($teams as bigint) as teams,
       cast($days as bigint) as days,
       cast($first_day as date) as first_day,
       cast($rubric_sha256 as varchar) as rubric_sha256,
       cast($rubric_yaml as varchar) as rubric_yaml,
       cast($items as varchar[]) as items,
       cast($offset as bigint) as call_offset;

insert into rubrics
select rubric_sha256, 'synthetic', '1', 'Synthetic rubric', rubric_yaml, now()
from synth_params
where rubric_sha256 not in (select rubric_sha256 from rubrics);

create or replace temp table synth_calls as
with numbered as (
    select call_offset + range as n, p.*
    from synth_params as p, range((select calls from synth_params))
),

drawn as (
    select n,
           'S' || lpad(cast(n as varchar), 8, '0') as call_id,
           hash(concat_ws(':', 'agent', n)) % agents as agent,
           first_day + cast(hash(concat_ws(':', 'day', n)) % days as integer) as call_day,
           cast(hash(concat_ws(':', 'minute', n)) % 600 as integer) as minute,
           teams
    from numbered
)

select n, call_id,
       'A' || lpad(cast(agent as varchar), 4, '0') as agent_id,
       'T' || lpad(cast(agent % teams as varchar), 3, '0') as team,
       -- each agent has a skill from -0.2 to +0.2 on every item's pass rate
       (hash(concat_ws(':', 'skill', agent)) % 401) / 1000.0 - 0.2 as skill,
       call_day + to_minutes(480 + minute) as started_at
from drawn;

insert into calls (
    call_id, source_kind, source_path, content_sha256, status, duration_s, channels,
    sample_rate_hz, layout, agent_id, agent_name, team, queue, started_at, engine,
    processed_at, needs_review, role_confidence
)
select call_id, 'import', call_id || '.json', sha256(call_id), 'scored',
       60 + hash(concat_ws(':', 'duration', n)) % 900, 2, 8000, 'agent_0', agent_id,
       'Agent ' || agent_id,
       team, 'general', started_at, 'synthetic', started_at + interval 1 day,
       hash(concat_ws(':', 'review', n)) % 200 = 0,
       0.5 + (hash(concat_ws(':', 'roles', n)) % 500) / 1000.0
from synth_calls;

create or replace temp table synth_items as
with items as (
    select unnest(items) as item_id, generate_subscripts(items, 1) - 1 as position
    from synth_params
)

select c.call_id, c.n, i.item_id, i.position,
       case
           when i.position % 3 = 2
                and hash(concat_ws(':', 'na', c.n, i.item_id)) % 100 < 40 then 'na'
           when (hash(concat_ws(':', 'pass', c.n, i.item_id)) % 1000) / 1000.0
                < 0.55 + 0.05 * (i.position % 5) + c.skill then 'pass'
           else 'fail'
       end as verdict,
       0.5 + (hash(concat_ws(':', 'confidence', c.n, i.item_id)) % 500) / 1000.0 as confidence
from synth_calls as c, items as i;

insert into item_results
select s.call_id, p.rubric_sha256, s.item_id, s.position, s.verdict,
       case when s.verdict = 'pass' then 10.0 else 0.0 end, 10.0, s.confidence, false,
       case when s.verdict = 'pass' then 'found' when s.verdict = 'na' then 'not applicable'
            else 'missing: ' || s.item_id end
from synth_items as s, synth_params as p;

insert into call_scores
select s.call_id, p.rubric_sha256, 'synthetic', '1',
       case when sum(case when s.verdict <> 'na' then 10 else 0 end) = 0 then null
            else 100.0 * sum(case when s.verdict = 'pass' then 10 else 0 end)
                 / sum(case when s.verdict <> 'na' then 10 else 0 end) end as score,
       null, sum(case when s.verdict = 'pass' then 10 else 0 end),
       sum(case when s.verdict <> 'na' then 10 else 0 end), false, now()
from synth_items as s, synth_params as p
group by s.call_id, p.rubric_sha256;

update call_scores
set band = case when score >= 85 then 'pass' when score >= 70 then 'coach' else 'flag' end
where rubric_sha256 = (select rubric_sha256 from synth_params) and band is null
  and score is not null;

insert into evidence (
    call_id, rubric_sha256, item_id, evidence_index, turn_index, speaker, start_s, end_s,
    text, detector
)
select s.call_id, p.rubric_sha256, s.item_id, 0, 2 * s.position, 'agent',
       10.0 * s.position, 10.0 * s.position + 4.0,
       case when s.verdict = 'pass' then 'the agent did ' || replace(s.item_id, '_', ' ')
            else 'the agent said something else' end,
       s.item_id || '_detector'
from synth_items as s, synth_params as p
where s.verdict = 'pass' or hash(concat_ws(':', 'evidence', s.n, s.item_id)) % 2 = 0;

insert into overrides
select s.call_id, p.rubric_sha256, s.item_id,
       case when s.verdict = 'pass' then 'fail' else 'pass' end,
       'reviewer' || cast(hash(concat_ws(':', 'reviewer', s.n)) % 5 as varchar),
       'synthetic override',
       now(),
       s.verdict,
       '1'
from synth_items as s, synth_params as p
where s.verdict <> 'na' and hash(concat_ws(':', 'override', s.n, s.item_id)) % 400 = 0;

insert into rubric_bands
select p.rubric_sha256, b.band, b.min_score
from synth_params as p,
     (values ('pass', 85.0), ('coach', 70.0), ('flag', 0.0)) as b(band, min_score)
where p.rubric_sha256 not in (select rubric_sha256 from rubric_bands);

drop table synth_items;
drop table synth_calls;
drop table synth_params;
