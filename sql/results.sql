-- Named queries for rubric results: writing them and reading them back for review.

-- name: delete_call_score
delete from turn_matches where call_id = $call_id and rubric_sha256 = $rubric_sha256;
delete from evidence where call_id = $call_id and rubric_sha256 = $rubric_sha256;
delete from item_results where call_id = $call_id and rubric_sha256 = $rubric_sha256;
delete from call_scores where call_id = $call_id and rubric_sha256 = $rubric_sha256;

-- name: insert_rubric
insert into rubrics by name
select * from new_rubric
where rubric_sha256 not in (select rubric_sha256 from rubrics);

-- name: insert_call_score
insert into call_scores by name
select * from new_call_score;

-- name: insert_item_results
insert into item_results by name
select * from new_item_results;

-- name: insert_evidence
insert into evidence by name
select * from new_evidence;

-- name: insert_turn_matches
insert into turn_matches by name
select * from new_turn_matches;

-- name: latest_call_score
-- The call's most recent score; ties (one run, several rubrics) go to the rubric id's order.
select s.*, r.title as rubric_title
from call_scores as s
join rubrics as r using (rubric_sha256)
where s.call_id = $call_id
order by s.scored_at desc, s.rubric_id
limit 1;

-- name: call_item_results
with overridden as (
    select call_id, rubric_sha256, item_id, verdict as override_verdict, reviewer, reason as override_reason,
           row_number() over (partition by call_id, rubric_sha256, item_id order by created_at desc) as nth
    from overrides
    where call_id = $call_id and rubric_sha256 = $rubric_sha256
)

select i.item_id, i.position, i.verdict, i.points, i.max_points, i.confidence, i.critical, i.reason,
       o.override_verdict, o.reviewer, o.override_reason
from item_results as i
left join overridden as o
    on o.call_id = i.call_id and o.rubric_sha256 = i.rubric_sha256 and o.item_id = i.item_id and o.nth = 1
where i.call_id = $call_id and i.rubric_sha256 = $rubric_sha256
order by i.position;

-- name: call_evidence
select item_id, evidence_index, turn_index, speaker, start_s, end_s, text, detector,
       act, act_confidence, sentence_index
from evidence
where call_id = $call_id and rubric_sha256 = $rubric_sha256
order by item_id, evidence_index;

-- name: insert_override
-- A reviewer's correction of one item's verdict; the latest one per item is shown.
-- Only for an item the rubric scored on the call; notes the machine's verdict it replaces and
-- the rubric's version.
insert into overrides (
    call_id, rubric_sha256, item_id, verdict, reviewer, reason, created_at, machine_verdict,
    rubric_version
)
select i.call_id, i.rubric_sha256, i.item_id, $verdict, $reviewer, $reason, $created_at,
       i.verdict, s.rubric_version
from item_results as i
join call_scores as s using (call_id, rubric_sha256)
where i.call_id = $call_id and i.rubric_sha256 = $rubric_sha256 and i.item_id = $item_id;

-- name: delete_call_scores_many
-- One rubric's results for many calls (rescoring writes a chunk of calls per transaction).
delete from turn_matches where rubric_sha256 = $rubric_sha256 and call_id = any($call_ids::varchar[]);
delete from evidence where rubric_sha256 = $rubric_sha256 and call_id = any($call_ids::varchar[]);
delete from item_results where rubric_sha256 = $rubric_sha256 and call_id = any($call_ids::varchar[]);
delete from call_scores where rubric_sha256 = $rubric_sha256 and call_id = any($call_ids::varchar[]);
