-- Named queries for the review app (qa-pipeline review). Every one is parameterised; the app
-- never builds SQL from a request.

-- name: review_calls
-- One page of the calls list: scored calls with the score and band that stand, filtered by
-- agent, team, dates (inclusive), band, an item that failed, and whether a person should look
-- again ($needs_review: flagged when stored, or reviewed under a rubric since changed); sorted
-- by $sort (newest, oldest, lowest, highest). Reads call_standing alone.
select call_id, call_date, call_time, agent_id, agent_name, team, duration_s, rubric_id,
       rubric_version, machine_score, machine_band, score, band, critical_failed, failed_items,
       items_overridden, rereview_items, min_confidence, role_confidence, needs_review
from call_standing
where ($agent_id is null or agent_id = $agent_id)
  and ($team is null or team = $team)
  and ($since is null or call_date >= cast($since as date))
  and ($until is null or call_date <= cast($until as date))
  and ($band is null or band = $band)
  and ($item_id is null or list_contains(failed_items, $item_id))
  and (not $needs_review or needs_review or rereview_items > 0)
order by case when $sort = 'lowest' then coalesce(score, 101) end asc,
         case when $sort = 'highest' then coalesce(score, -1) end desc,
         case when $sort = 'oldest' then call_time end asc,
         call_time desc, call_id
limit $limit offset $offset;

-- name: review_calls_count
select count(*) as calls
from call_standing
where ($agent_id is null or agent_id = $agent_id)
  and ($team is null or team = $team)
  and ($since is null or call_date >= cast($since as date))
  and ($until is null or call_date <= cast($until as date))
  and ($band is null or band = $band)
  and ($item_id is null or list_contains(failed_items, $item_id))
  and (not $needs_review or needs_review or rereview_items > 0);

-- name: review_choices
-- What the list's filters offer: teams, agents, bands and items of the stored calls.
select 'team' as kind, team as value from (select distinct team from call_standing)
where team is not null
union all
select 'agent', agent_id from (select distinct agent_id from call_standing)
where agent_id is not null
union all
select 'band', band from (select distinct band from rubric_bands)
union all
select 'item', item_id from (
    select distinct unnest(failed_items) as item_id
    from (select failed_items from call_standing using sample 20000 rows)
)
order by kind, value;

-- name: review_standing
select *
from call_standing
where call_id = $call_id;

-- name: review_call_overrides
-- Every verdict reviewers gave on the call, newest first (the history the call page shows).
select o.rubric_sha256, o.item_id, o.verdict, o.reviewer, o.reason, o.created_at,
       coalesce(o.machine_verdict, i.verdict) as machine_verdict,
       coalesce(o.rubric_version, s.rubric_version) as rubric_version
from overrides as o
left join item_results as i using (call_id, rubric_sha256, item_id)
left join call_scores as s using (call_id, rubric_sha256)
where o.call_id = $call_id
order by o.created_at desc;

-- name: review_machine_human
-- For calibration: each reviewed item's newest human verdict beside the machine's, on the
-- score each call stands on.
with newest as (
    select o.call_id, o.item_id, arg_max(o.verdict, o.created_at) as human,
           arg_max(o.reviewer, o.created_at) as reviewer
    from overrides as o
    join call_standing as s using (call_id, rubric_sha256)
    where ($since is null or s.call_date >= cast($since as date))
      and ($until is null or s.call_date <= cast($until as date))
    group by o.call_id, o.item_id
)

select n.call_id, n.item_id, i.verdict as machine, n.human, n.reviewer
from newest as n
join call_standing as s using (call_id)
join item_results as i
    on i.call_id = n.call_id and i.rubric_sha256 = s.rubric_sha256 and i.item_id = n.item_id
order by n.call_id, i.position;

-- name: review_reviewer_pairs
-- For calibration: items two reviewers judged on the same call (each one's newest verdict),
-- the earlier reviewer as first.
with per_reviewer as (
    select o.call_id, o.item_id, o.reviewer, arg_max(o.verdict, o.created_at) as verdict,
           max(o.created_at) as at
    from overrides as o
    join call_standing as s using (call_id, rubric_sha256)
    where ($since is null or s.call_date >= cast($since as date))
      and ($until is null or s.call_date <= cast($until as date))
    group by o.call_id, o.item_id, o.reviewer
)

select a.call_id, a.item_id, a.reviewer as first_reviewer, a.verdict as first,
       b.reviewer as second_reviewer, b.verdict as second
from per_reviewer as a
join per_reviewer as b
    on a.call_id = b.call_id and a.item_id = b.item_id
   and (a.at, a.reviewer) < (b.at, b.reviewer)
order by a.call_id, a.item_id;

-- name: review_add_user
insert or replace into review_users (username, password_hash, created_at)
values ($username, $password_hash, $created_at);

-- name: review_user
select username, password_hash
from review_users
where username = $username;

-- name: review_user_count
select count(*) as users
from review_users;

-- name: make_review_secret
-- The key that signs reviewers' session cookies: made once per store, kept in it.
insert into review_secret
select $secret
where not exists (select 1 from review_secret);

-- name: review_secret
select secret from review_secret limit 1;
