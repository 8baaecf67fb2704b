// Awarding points in one statement. The same steps as before — make sure the capped counter row
// exists, lock it, grant what the cap leaves, write the ledger row once per idempotency key, then
// add to the counter and the totals — but run inside PostgreSQL, so an award holds a pooled
// connection for one round trip instead of six. On exam day every login earns 登录; with six
// round trips each login kept a connection for six event-loop turns while starts queued for it.
//
// Each statement inside a VOLATILE PL/pgSQL function takes a fresh snapshot under READ COMMITTED,
// so the locked counter read sees what a parallel award committed while this one waited for the
// lock: two awards at the cap still earn once, and a repeated key still earns nothing.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function award_points(
      p_user_id integer,
      p_org_id integer,
      p_rule_code text,
      p_rule_version integer,
      p_wanted integer,
      p_cap integer,
      p_period text,
      p_day date,
      p_idem_key text,
      p_detail jsonb,
      p_created_at timestamptz,
      p_total_periods text[]
    ) returns table (awarded integer, duplicate boolean)
    language plpgsql volatile as $$
    declare
      v_earned integer;
      v_points integer;
      v_ledger_id bigint;
    begin
      insert into point_counters as c (user_id, rule_code, period, earned)
        values (p_user_id, p_rule_code, p_period, 0)
        on conflict (user_id, rule_code, period) do nothing;
      select c.earned into v_earned from point_counters c
        where c.user_id = p_user_id and c.rule_code = p_rule_code and c.period = p_period
        for update;
      v_points := case when p_cap is null then p_wanted else greatest(0, least(p_wanted, p_cap - v_earned)) end;

      insert into point_ledger as l (user_id, org_id, rule_code, rule_version, points, day, idem_key, detail, created_at)
        values (p_user_id, p_org_id, p_rule_code, p_rule_version, v_points, p_day, p_idem_key, p_detail, p_created_at)
        on conflict (user_id, idem_key) do nothing
        returning l.id into v_ledger_id;
      if v_ledger_id is null then
        return query select l.points, true from point_ledger l where l.user_id = p_user_id and l.idem_key = p_idem_key;
        return;
      end if;

      if v_points > 0 then
        update point_counters c set earned = c.earned + v_points
          where c.user_id = p_user_id and c.rule_code = p_rule_code and c.period = p_period;
        -- In the given order, the same for every award, so parallel awards lock total rows alike.
        insert into point_totals as t (user_id, period, points)
          select p_user_id, k.period, v_points from unnest(p_total_periods) with ordinality as k(period, n) order by k.n
          on conflict (user_id, period) do update set points = t.points + excluded.points;
      end if;
      return query select v_points, false;
    end $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists award_points(integer, integer, text, integer, integer, integer, text, date, text, jsonb, timestamptz, text[])`.execute(
    db,
  )
}
