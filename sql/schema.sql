-- The store's schema. Every statement is idempotent, so opening a store applies it safely.
-- Data rules live here as keys, NOT NULL and CHECKs; tests/test_store.py shows they bite.

create table if not exists calls (
    call_id         varchar primary key,
    source_kind     varchar not null check (source_kind in ('audio', 'import')),
    source_path     varchar not null,
    content_sha256  varchar not null check (length(content_sha256) = 64),
    status          varchar not null
                    check (status in ('scored', 'transcribed', 'needs_diarisation', 'failed')),
    error_code      varchar,
    error           varchar,
    duration_s      double check (duration_s >= 0),
    channels        integer check (channels in (1, 2)),
    sample_rate_hz  integer check (sample_rate_hz > 0),
    layout          varchar check (layout in ('agent_0', 'agent_1', 'mono')),
    agent_id        varchar,
    agent_name      varchar,
    team            varchar,
    queue           varchar,
    started_at      timestamp,
    engine          varchar,
    options_json    varchar,
    processed_at    timestamp not null,
    -- a failed call says why; a call that did not fail carries no error
    check ((status = 'failed') = (error is not null)),
    check ((error is null) = (error_code is null))
);

-- Mono calls split into speakers: how, which speaker is the agent, and how sure that is.
-- Added by ALTER so stores made before diarisation existed gain the columns when opened.
alter table calls add column if not exists diarizer varchar;
alter table calls add column if not exists diarizer_options_json varchar;
alter table calls add column if not exists role_method varchar;
alter table calls add column if not exists role_confidence double;
alter table calls add column if not exists role_reason varchar;
alter table calls add column if not exists needs_review boolean default false;

create table if not exists speaker_segments (
    call_id        varchar not null,
    segment_index  integer not null check (segment_index >= 0),
    speaker_label  varchar not null,
    role           varchar not null check (role in ('agent', 'customer')),
    start_s        double not null check (start_s >= 0),
    end_s          double not null,
    primary key (call_id, segment_index),
    check (end_s >= start_s)
);

create table if not exists turns (
    call_id           varchar not null,
    turn_index        integer not null check (turn_index >= 0),
    speaker           varchar not null check (speaker in ('agent', 'customer')),
    start_s           double not null check (start_s >= 0),
    end_s             double not null,
    text              varchar not null,
    mean_probability  double not null check (mean_probability between 0 and 1),
    word_count        integer not null check (word_count > 0),
    primary key (call_id, turn_index),
    check (end_s >= start_s)
);

create table if not exists words (
    call_id      varchar not null,
    word_index   integer not null check (word_index >= 0),
    turn_index   integer not null,
    speaker      varchar not null check (speaker in ('agent', 'customer')),
    start_s      double not null check (start_s >= 0),
    end_s        double not null,
    word         varchar not null,
    probability  double not null check (probability between 0 and 1),
    primary key (call_id, word_index),
    check (end_s >= start_s)
);

-- A rubric is stored once per distinct content; results point at its content hash, so results
-- from older versions stay queryable after the rubric changes.
create table if not exists rubrics (
    rubric_sha256  varchar primary key check (length(rubric_sha256) = 64),
    rubric_id      varchar not null,
    version        varchar not null,
    title          varchar not null,
    source_text    varchar not null,
    stored_at      timestamp not null
);

create table if not exists call_scores (
    call_id          varchar not null,
    rubric_sha256    varchar not null,
    rubric_id        varchar not null,
    rubric_version   varchar not null,
    score            double check (score between 0 and 100),
    band             varchar,
    points_earned    double not null check (points_earned >= 0),
    points_possible  double not null check (points_possible >= 0),
    critical_failed  boolean not null,
    scored_at        timestamp not null,
    primary key (call_id, rubric_sha256),
    check (points_earned <= points_possible + 1e-9),
    -- a call where no item applied has no score rather than a made-up one
    check ((score is null) = (points_possible = 0))
);

create table if not exists item_results (
    call_id        varchar not null,
    rubric_sha256  varchar not null,
    item_id        varchar not null,
    position       integer not null check (position >= 0),  -- the item's place in its rubric
    verdict        varchar not null check (verdict in ('pass', 'fail', 'na')),
    points         double not null check (points >= 0),
    max_points     double not null check (max_points >= 0),
    confidence     double not null check (confidence between 0 and 1),
    critical       boolean not null,
    reason         varchar not null,
    primary key (call_id, rubric_sha256, item_id),
    check (points <= max_points),
    check (verdict = 'pass' or points = 0)
);

create table if not exists evidence (
    call_id         varchar not null,
    rubric_sha256   varchar not null,
    item_id         varchar not null,
    evidence_index  integer not null check (evidence_index >= 0),
    turn_index      integer,
    speaker         varchar check (speaker in ('agent', 'customer')),
    start_s         double not null check (start_s >= 0),
    end_s           double not null,
    text            varchar not null,
    detector        varchar not null,
    primary key (call_id, rubric_sha256, item_id, evidence_index),
    check (end_s >= start_s)
);

-- What each turn matched, item by item and detector by detector, whether or not it decided
-- the verdict: the raw material a QA specialist checks a verdict against.
create table if not exists turn_matches (
    call_id        varchar not null,
    rubric_sha256  varchar not null,
    turn_index     integer not null,
    item_id        varchar not null,
    detector       varchar not null,
    match_index    integer not null check (match_index >= 0),
    start_s        double not null check (start_s >= 0),
    end_s          double not null,
    matched_text   varchar not null,
    primary key (call_id, rubric_sha256, turn_index, item_id, detector, match_index),
    check (end_s >= start_s)
);

-- A QA specialist's correction of a machine verdict; never deleted by reprocessing.
create table if not exists overrides (
    call_id        varchar not null,
    rubric_sha256  varchar not null,
    item_id        varchar not null,
    verdict        varchar not null check (verdict in ('pass', 'fail', 'na')),
    reviewer       varchar not null,
    reason         varchar not null,
    created_at     timestamp not null,
    primary key (call_id, rubric_sha256, item_id, created_at)
);

-- Every failure of a call, kept even when the call's earlier rows stay (a changed file that
-- now fails), so nothing is lost and retries of the same bytes can be bounded. Stores made
-- before it gain the table when opened, with one row for each call already failed.
create table if not exists call_failures (
    call_id         varchar not null,
    content_sha256  varchar not null check (length(content_sha256) = 64),
    source_path     varchar not null,
    error_code      varchar not null,
    error           varchar not null,
    failed_at       timestamp not null,
    primary key (call_id, failed_at)
);

insert into call_failures by name
select call_id, content_sha256, source_path, error_code, error, processed_at as failed_at
from calls
where status = 'failed'
  and call_id not in (select call_id from call_failures);

-- A started_at given with a time zone keeps it: started_at holds the time as written, this
-- its offset from UTC in seconds (null when none was given).
alter table calls add column if not exists started_at_utc_offset_s integer;

-- A copy of the recording with its redacted stretches silenced (run --redacted-audio DIR), for
-- the review app to play instead of the original; null when none was written.
alter table calls add column if not exists redacted_audio_path varchar;

-- Act detectors' evidence: the speech act a sentence was recognised as, the classifier's
-- probability for it, and the sentence's place in its turn (null for other detectors).
alter table evidence add column if not exists act varchar;
alter table evidence add column if not exists act_confidence double;
alter table evidence add column if not exists sentence_index integer;

-- Each stored turn's sentences and their embeddings, computed once when the call is stored,
-- so rescoring with a changed rubric embeds only the rubric's own examples. A list rather
-- than a fixed-size array: another embedding model may have another dimension.
create table if not exists sentence_embeddings (
    call_id         varchar not null,
    turn_index      integer not null check (turn_index >= 0),
    sentence_index  integer not null check (sentence_index >= 0),
    speaker         varchar not null check (speaker in ('agent', 'customer')),
    first_word      integer not null check (first_word >= 0),
    end_word        integer not null,
    start_s         double not null check (start_s >= 0),
    end_s           double not null,
    text            varchar not null,
    model_id        varchar not null,
    embedding       float[] not null check (len(embedding) > 0),
    primary key (call_id, turn_index, sentence_index),
    check (end_s >= start_s),
    check (end_word > first_word)
);

-- A turn the act detectors also read whole (a customer's turn of two or more sentences)
-- keeps that embedding on its first sentence's row; null on every other row, and on stores
-- made before turns were read whole (the scorer embeds those turns when it needs them).
alter table sentence_embeddings add column if not exists turn_embedding float[];

-- Each stored call's act probabilities per sentence (rows in sentence_embeddings' order, a
-- column per act read on the sentence, then one per act read on its turn whole, row-major),
-- as the act classifier read them: rescoring under the same reading (same head, rubric
-- examples, embedding model and act code: reading_id) reuses them instead of running the
-- classifier. Deleted wherever the call's sentences are.
create table if not exists sentence_acts (
    call_id        varchar primary key,
    reading_id     varchar not null,
    acts           integer not null check (acts > 0),
    probabilities  float[] not null
);

-- Each stored rubric's bands, so SQL can band a score a reviewer's verdicts changed. Stores
-- made before it gain the rows when opened (Store fills them from the rubric's source).
create table if not exists rubric_bands (
    rubric_sha256  varchar not null,
    band           varchar not null,
    min_score      double not null check (min_score between 0 and 100),
    primary key (rubric_sha256, band)
);

-- What a reviewer's verdict replaced, and under which rubric version (the review app fills
-- them; null on overrides written before).
alter table overrides add column if not exists machine_verdict varchar;
alter table overrides add column if not exists rubric_version varchar;

-- One row per scored call: the score and band that stand (reviewers' verdicts applied, newest
-- wins) beside the machine's, and what the calls list filters on. Derived from the tables
-- above and rewritten for a call whenever its score or overrides change (sql/standing.sql), so
-- the review app lists a million calls without joining every verdict.
create table if not exists call_standing (
    call_id           varchar not null,
    call_date         date not null,
    call_time         timestamp not null,
    agent_id          varchar,
    agent_name        varchar,
    team              varchar,
    duration_s        double,
    rubric_sha256     varchar not null,
    rubric_id         varchar not null,
    rubric_version    varchar not null,
    machine_score     double,
    machine_band      varchar,
    score             double,
    band              varchar,
    critical_failed   boolean not null,
    failed_items      varchar[] not null,
    items_overridden  integer not null,
    rereview_items    integer not null,  -- reviewed under an older rubric, not since
    min_confidence    double,
    role_confidence   double,
    needs_review      boolean not null
);

-- Added after the table first shipped (a store that has it without them gains them, and
-- Store refills every row: see item_standing).
alter table call_standing add column if not exists least_sure_item varchar;
alter table call_standing add column if not exists items_disagreed integer;

-- One row per item of each row of call_standing: the verdict that stands beside the machine's,
-- with the call's date, agent and team, so coaching reports count verdicts per agent, team,
-- week and item without joining ten million item results to their calls. Rewritten with
-- call_standing (sql/standing.sql).
create table if not exists item_standing (
    call_id          varchar not null,
    rubric_sha256    varchar not null,
    call_date        date not null,
    agent_id         varchar,
    team             varchar,
    item_id          varchar not null,
    position         integer not null,
    machine_verdict  varchar not null,
    verdict          varchar not null,
    overridden       boolean not null,
    confidence       double not null
);

-- The review app's users (qa-pipeline review add-user): passwords as argon2id hashes only.
create table if not exists review_users (
    username       varchar primary key,
    password_hash  varchar not null,
    created_at     timestamp not null
);

-- The key that signs the review app's session cookies (made when the app first starts).
create table if not exists review_secret (
    secret  varchar not null check (length(secret) >= 32)
);
