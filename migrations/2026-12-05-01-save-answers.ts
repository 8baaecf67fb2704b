// Autosave's group commit as one function. The batch statement was sent as text with a VALUES row
// per save, so its text changed with the batch size and PostgreSQL parsed and planned it anew for
// every batch: ~0.2 ms of planning for a batch of six on a warm connection (EXPLAIN), at a few
// hundred batches a second on exam day. Inside a PL/pgSQL function the statements are planned once
// per connection and the plan reused; the batch arrives as one jsonb array, so the call's own text
// never changes.
//
// The steps are the ones the statement had: lock the open attempts named in the batch (skipping
// rows a submit holds, unless asked to wait), keep the latest save of each answer, upsert the
// answers, count the newly answered ones on their attempts, and return the open attempts with their
// owners (saves naming one of these pairs are written; the others were not). Attempt rows are locked
// in id order and answers written in key order, so concurrent batches cannot deadlock; the locks are
// taken before the writes, in the same transaction, so a submit cannot slip in between.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function save_answers(p_batch jsonb, p_now timestamptz, p_skip_locked boolean)
    returns table (open_attempt_id integer, open_user_id integer)
    language plpgsql volatile as $$
    declare
      v_open integer[];
      v_owners integer[];
    begin
      -- The lock clause cannot be a parameter: two copies that differ only in it.
      if p_skip_locked then
        select coalesce(array_agg(o.id), '{}'), coalesce(array_agg(o.user_id), '{}') into v_open, v_owners from (
          select a.id, a.user_id from attempts a
          where (a.id, a.user_id) in (select (e->>'attempt')::int, (e->>'user')::int from jsonb_array_elements(p_batch) e)
            and a.status = 'in_progress' and a.deadline > p_now
          order by a.id
          for no key update skip locked
        ) o;
      else
        select coalesce(array_agg(o.id), '{}'), coalesce(array_agg(o.user_id), '{}') into v_open, v_owners from (
          select a.id, a.user_id from attempts a
          where (a.id, a.user_id) in (select (e->>'attempt')::int, (e->>'user')::int from jsonb_array_elements(p_batch) e)
            and a.status = 'in_progress' and a.deadline > p_now
          order by a.id
          for no key update
        ) o;
      end if;

      return query
        with input as (
          select (e->>'attempt')::int as attempt_id, (e->>'user')::int as user_id, (e->>'question')::int as question_id,
            e->'answer' as answer, n as ord
          from jsonb_array_elements(p_batch) with ordinality as b(e, n)
        ),
        latest as (
          -- Within a batch the later save of an answer wins; a save counts only for its owner's attempt.
          select distinct on (i.attempt_id, i.question_id) i.attempt_id, i.question_id, i.answer
          from input i join unnest(v_open, v_owners) as o(id, user_id) on o.id = i.attempt_id and o.user_id = i.user_id
          order by i.attempt_id, i.question_id, i.ord desc
        ),
        saved as (
          insert into attempt_answers as s (attempt_id, question_id, answer, saved_at)
          select l.attempt_id, l.question_id, l.answer, p_now from latest l order by l.attempt_id, l.question_id
          on conflict (attempt_id, question_id) do update set answer = excluded.answer, saved_at = excluded.saved_at
          returning s.attempt_id, (s.xmax = 0) as inserted
        ),
        counted as (
          update attempts a set answered_count = a.answered_count + c.n, answers_version = a.answers_version + 1
          from (select sv.attempt_id, (count(*) filter (where sv.inserted))::int as n from saved sv group by sv.attempt_id) c
          where a.id = c.attempt_id
        )
        select o.id, o.user_id from unnest(v_open, v_owners) as o(id, user_id);
    end $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists save_answers(jsonb, timestamptz, boolean)`.execute(db)
}
