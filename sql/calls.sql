-- Named queries for writing and reading calls, turns and words.
-- Each block starts with `-- name: NAME`; statements in one block run in order with the same
-- parameters.

-- name: call_state
select call_id, content_sha256, status, source_path
from calls
where call_id = $call_id;

-- name: call_meta
-- What is known of a stored call besides its audio: kept when it is processed again.
select call_id, agent_id, agent_name, team, queue, started_at, started_at_utc_offset_s
from calls
where call_id = $call_id;

-- name: insert_failure
insert into call_failures by name
select * from new_failure;

-- name: failures_with_sha
-- How often a call failed from these very bytes, and the last failure's code.
select count(*) as failures, arg_max(error_code, failed_at) as last_code
from call_failures
where call_id = $call_id and content_sha256 = $sha256;

-- name: done_call_with_sha
-- Another call already stored from the same bytes: the same recording under a second name.
select call_id
from calls
where content_sha256 = $sha256
  and status <> 'failed'
  and call_id <> $call_id
limit 1;

-- name: delete_call
delete from call_standing where call_id = $call_id;
delete from item_standing where call_id = $call_id;
delete from turn_matches where call_id = $call_id;
delete from sentence_embeddings where call_id = $call_id;
delete from sentence_acts where call_id = $call_id;
delete from evidence where call_id = $call_id;
delete from item_results where call_id = $call_id;
delete from call_scores where call_id = $call_id;
delete from words where call_id = $call_id;
delete from speaker_segments where call_id = $call_id;
delete from turns where call_id = $call_id;
delete from calls where call_id = $call_id;

-- name: insert_call
insert into calls by name
select * from new_call;

-- name: insert_turns
insert into turns by name
select * from new_turns;

-- name: insert_segments
insert into speaker_segments by name
select * from new_segments;

-- name: call_segments
select segment_index, speaker_label, role, start_s, end_s
from speaker_segments
where call_id = $call_id
order by segment_index;

-- name: insert_words
insert into words by name
select * from new_words;

-- name: call_row
select *
from calls
where call_id = $call_id;

-- name: call_turns
select turn_index, speaker, start_s, end_s, text, mean_probability, word_count
from turns
where call_id = $call_id
order by turn_index;

-- name: call_words
select word_index, turn_index, speaker, start_s, end_s, word, probability
from words
where call_id = $call_id
order by word_index;

-- name: stored_transcripts
-- Every call with turns, for rescoring without audio.
select call_id
from calls
where status in ('scored', 'transcribed')
order by call_id;

-- name: status_counts
select status, count(*) as calls
from calls
group by status
order by status;

-- name: mark_scored
update calls set status = 'scored' where call_id = $call_id;

-- name: calls_rows_for
-- Many calls' rows at once (rescoring and benchmarks load transcripts in bulk).
with wanted as (
    select unnest($call_ids::varchar[]) as call_id
)

select c.*
from calls as c
semi join wanted using (call_id)
order by c.call_id;

-- name: turns_for_calls
with wanted as (
    select unnest($call_ids::varchar[]) as call_id
)

select t.call_id, t.turn_index, t.speaker, t.start_s, t.end_s, t.text, t.mean_probability
from turns as t
semi join wanted using (call_id)
order by t.call_id, t.turn_index;

-- name: words_for_calls
with wanted as (
    select unnest($call_ids::varchar[]) as call_id
)

select w.call_id, w.turn_index, w.speaker, w.start_s, w.end_s, w.word, w.probability
from words as w
semi join wanted using (call_id)
order by w.call_id, w.turn_index, w.word_index;

-- name: mark_scored_many
update calls set status = 'scored' where call_id = any($call_ids::varchar[]);
