-- Named queries for each stored turn's sentences and their embeddings (act detectors).

-- name: delete_sentence_embeddings
delete from sentence_embeddings where call_id = $call_id;
delete from sentence_acts where call_id = $call_id;

-- name: insert_sentence_embeddings
insert into sentence_embeddings by name
select * from new_sentence_embeddings;

-- name: sentence_embeddings_for_calls
-- The stored sentences of many calls at once (rescoring reads them in bulk, not call by call).
with wanted as (
    select unnest($call_ids::varchar[]) as call_id
)

select s.call_id, s.turn_index, s.sentence_index, s.speaker, s.first_word, s.end_word,
       s.start_s, s.end_s, s.text, s.model_id, s.embedding, s.turn_embedding
from sentence_embeddings as s
semi join wanted using (call_id)
order by s.call_id, s.turn_index, s.sentence_index;

-- name: sentence_embedding_counts
-- How many sentences each model embedded (for reports and tests).
select model_id, count(*) as sentences, count(distinct call_id) as calls
from sentence_embeddings
group by model_id
order by model_id;

-- name: delete_sentence_embeddings_many
delete from sentence_embeddings where call_id = any($call_ids::varchar[]);
delete from sentence_acts where call_id = any($call_ids::varchar[]);

-- name: sentences_for_calls
-- The stored sentences of many calls without their embeddings: what rescoring reads when it
-- has the calls' act probabilities already (sentence_acts), the embeddings being most of
-- the bytes.
with wanted as (
    select unnest($call_ids::varchar[]) as call_id
)

select s.call_id, s.turn_index, s.sentence_index, s.speaker, s.first_word, s.end_word,
       s.start_s, s.end_s, s.text, s.model_id
from sentence_embeddings as s
semi join wanted using (call_id)
order by s.call_id, s.turn_index, s.sentence_index;

-- name: sentence_acts_for_calls
-- The act probabilities stored for many calls under one reading (other readings are stale).
with wanted as (
    select unnest($call_ids::varchar[]) as call_id
)

select a.call_id, a.acts, a.probabilities
from sentence_acts as a
semi join wanted using (call_id)
where a.reading_id = $reading_id;

-- name: delete_sentence_acts_many
delete from sentence_acts where call_id = any($call_ids::varchar[]);

-- name: insert_sentence_acts
insert into sentence_acts by name
select * from new_sentence_acts;
