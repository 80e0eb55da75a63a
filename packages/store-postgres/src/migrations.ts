import type pg from 'pg';
import { TwoFactorError } from '@twofa/core/adapter';

/** `"schema"` after checking it is a plain identifier (it is spliced into SQL). */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TwoFactorError('config_invalid', { message: `Invalid schema name '${String(schema)}': use lower-case letters, digits and _ (max 63).` });
  }
  return `"${schema}"`;
}

/** One versioned schema change, applied once by `migrate()`. */
export interface Migration {
  version: number;
  name: string;
  /** Its SQL, for the (quoted) schema name `s`. */
  sql: (s: string) => string;
}

/** The hit() function. `serialised` adds the per-partition lock of migration 2. */
function hitFunction(s: string, verb: 'CREATE' | 'CREATE OR REPLACE', serialised = false): string {
  const lock = serialised ? `
  PERFORM pg_advisory_xact_lock(hashtext('twofa.hit'), hashtext(p));` : '';
  return `-- hit(): all-or-nothing across several counters needs the rows locked before the decision;
-- each statement here takes a fresh snapshot (READ COMMITTED), so it sees the winner's commit.
${verb} FUNCTION ${s}.hit(p text, keys text[], limits integer[], windows bigint[], blocks bigint[], now bigint)
RETURNS TABLE (allowed boolean, counts integer[], resets bigint[])
LANGUAGE plpgsql AS $fn$
DECLARE
  n integer := coalesce(array_length(keys, 1), 0);
  cur_count integer[] := '{}';
  cur_reset bigint[] := '{}';
  ok boolean := true;
  r record;
  i integer;
BEGIN${lock}
  -- Rows exist and are locked in key order (no deadlocks between concurrent hits).
  INSERT INTO ${s}.counters (partition, key, count, reset_at)
    SELECT p, k, 0, 0 FROM unnest(keys) AS k ORDER BY k
    ON CONFLICT (partition, key) DO NOTHING;
  FOR r IN SELECT c.key, c.count, c.reset_at FROM ${s}.counters c
           WHERE c.partition = p AND c.key = ANY (keys) ORDER BY c.key FOR UPDATE LOOP
  END LOOP;
  FOR i IN 1..n LOOP
    SELECT c.count, c.reset_at INTO r FROM ${s}.counters c WHERE c.partition = p AND c.key = keys[i];
    IF r.reset_at > now THEN
      cur_count := cur_count || r.count; cur_reset := cur_reset || r.reset_at;
    ELSE
      cur_count := cur_count || 0; cur_reset := cur_reset || (now + windows[i]);
    END IF;
    IF cur_count[i] >= limits[i] THEN ok := false; END IF;
  END LOOP;
  IF ok THEN
    FOR i IN 1..n LOOP
      cur_count[i] := cur_count[i] + 1;
      IF blocks[i] IS NOT NULL AND cur_count[i] >= limits[i] THEN
        cur_reset[i] := greatest(cur_reset[i], now + blocks[i]);
      END IF;
      -- An upsert, so a counter reset (deleted) meanwhile still gets this attempt counted.
      INSERT INTO ${s}.counters AS c (partition, key, count, reset_at) VALUES (p, keys[i], cur_count[i], cur_reset[i])
        ON CONFLICT (partition, key) DO UPDATE SET count = EXCLUDED.count, reset_at = EXCLUDED.reset_at;
    END LOOP;
  END IF;
  RETURN QUERY SELECT ok, cur_count, cur_reset;
END
$fn$;
`;
}

/**
 * Migration 3 (twofa 0.2): the Store v2 contract. Additive, so 0.1 processes still running
 * during the deploy keep working: `type` keeps holding the method and `last_step` the
 * counter `consume` advances (TOTP step, WebAuthn sign count); authenticators get a `name`.
 * The operations that write several rows of a partition are functions taking hit()'s
 * per-partition lock, so they run one after the other and never deadlock each other; inside
 * PL/pgSQL each statement sees the ones before it (in one statement, data-modifying CTEs
 * would not).
 */
function storeV2(s: string): string {
  const lock = `PERFORM pg_advisory_xact_lock(hashtext('twofa.hit'), hashtext(p));`;
  return `
ALTER TABLE ${s}.authenticators ADD COLUMN name text;

-- consume(): every condition is checked (and its rows locked) before anything is written.
CREATE FUNCTION ${s}.consume(p text, now bigint, rec_key text, ctr_id text, ctr_value bigint, ctr_zero boolean, codes text[],
                             s_reset text[], s_drop text[], s_touch text, OUT ok boolean, OUT got text)
LANGUAGE plpgsql AS $fn$
DECLARE
  last bigint;
  code_id bigint;
BEGIN
  ok := false;
  ${lock}
  IF rec_key IS NOT NULL THEN
    SELECT r.value INTO got FROM ${s}.records r WHERE r.partition = p AND r.key = rec_key AND r.expires_at > now FOR UPDATE;
    IF NOT FOUND THEN RETURN; END IF;
  END IF;
  IF ctr_id IS NOT NULL THEN
    SELECT a.last_step INTO last FROM ${s}.authenticators a WHERE a.user_id = p AND a.id = ctr_id FOR UPDATE;
    -- Above the counter; with ctr_zero, 0 also while the counter is absent or 0. (No counter: NULL, passes.)
    IF NOT FOUND OR (ctr_value <= last AND NOT (ctr_zero AND ctr_value = 0 AND last = 0)) THEN got := NULL; RETURN; END IF;
  END IF;
  IF codes IS NOT NULL THEN
    SELECT c.id INTO code_id FROM ${s}.recovery_codes c
      WHERE c.user_id = p AND c.hash = ANY (codes) AND c.used_at IS NULL ORDER BY c.id LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN got := NULL; RETURN; END IF;
  END IF;
  DELETE FROM ${s}.records r WHERE r.partition = p AND (r.key = rec_key OR r.key = ANY (s_drop));
  UPDATE ${s}.authenticators a SET last_step = ctr_value WHERE a.user_id = p AND a.id = ctr_id;
  UPDATE ${s}.recovery_codes c SET used_at = now WHERE c.id = code_id;
  DELETE FROM ${s}.counters c WHERE c.partition = p AND c.key = ANY (s_reset);
  UPDATE ${s}.authenticators a SET last_used_at = now WHERE a.user_id = p AND a.id = s_touch;
  ok := true;
END
$fn$;

-- hit_consume(): count (hit()), then consume and settle when allowed, then load: one round trip.
CREATE FUNCTION ${s}.hit_consume(p text, now bigint, keys text[], limits integer[], windows bigint[], blocks bigint[],
    do_consume boolean, rec_key text, ctr_id text, ctr_value bigint, ctr_zero boolean, codes text[],
    s_reset text[], s_drop text[], s_touch text, load_auth boolean, load_record text, load_counters text[],
    OUT allowed boolean, OUT counts integer[], OUT resets bigint[], OUT consumed boolean,
    OUT auths json, OUT rec_value text, OUT counter_counts integer[], OUT counter_resets bigint[])
LANGUAGE plpgsql AS $fn$
BEGIN
  allowed := true; counts := '{}'; resets := '{}';
  IF coalesce(array_length(keys, 1), 0) > 0 THEN
    SELECT h.allowed, h.counts, h.resets INTO allowed, counts, resets FROM ${s}.hit(p, keys, limits, windows, blocks, now) h;
  END IF;
  IF do_consume THEN
    consumed := false;
    IF allowed THEN
      SELECT c.ok INTO consumed FROM ${s}.consume(p, now, rec_key, ctr_id, ctr_value, ctr_zero, codes, s_reset, s_drop, s_touch) c;
    END IF;
  END IF;
  IF load_auth THEN
    SELECT coalesce(json_agg(a ORDER BY a.created_at, a.seq), '[]'::json) INTO auths
      FROM (SELECT x.user_id, x.id, x.type AS method, x.status, x.name, x.secret, x.display, x.created_at, x.confirmed_at,
                   x.last_used_at, x.last_step AS counter, x.seq
            FROM ${s}.authenticators x WHERE x.user_id = p) a;
  END IF;
  IF load_record IS NOT NULL THEN
    SELECT r.value INTO rec_value FROM ${s}.records r WHERE r.partition = p AND r.key = load_record AND r.expires_at > now;
  END IF;
  IF load_counters IS NOT NULL THEN
    SELECT coalesce(array_agg(CASE WHEN c.reset_at > now THEN c.count ELSE 0 END ORDER BY k.o), '{}'),
           coalesce(array_agg(CASE WHEN c.reset_at > now THEN c.reset_at ELSE 0 END ORDER BY k.o), '{}')
      INTO counter_counts, counter_resets
      FROM unnest(load_counters) WITH ORDINALITY AS k(ckey, o) LEFT JOIN ${s}.counters c ON c.partition = p AND c.key = k.ckey;
  END IF;
END
$fn$;

-- put_record(): the value it replaced if still live. Locks the row, or inserts; a racing insert means lock and retry.
CREATE FUNCTION ${s}.put_record(p text, k text, v text, expires bigint, now bigint) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  prev record;
BEGIN
  LOOP
    SELECT r.value, r.expires_at INTO prev FROM ${s}.records r WHERE r.partition = p AND r.key = k FOR UPDATE;
    IF FOUND THEN
      UPDATE ${s}.records r SET value = v, expires_at = expires WHERE r.partition = p AND r.key = k;
      RETURN CASE WHEN prev.expires_at > now THEN prev.value END;
    END IF;
    INSERT INTO ${s}.records (partition, key, value, expires_at) VALUES (p, k, v, expires) ON CONFLICT DO NOTHING;
    IF FOUND THEN RETURN NULL; END IF;
  END LOOP;
END
$fn$;

-- purge(): everything of one partition, in one transaction.
CREATE FUNCTION ${s}.purge(p text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  ${lock}
  DELETE FROM ${s}.authenticators a WHERE a.user_id = p;
  DELETE FROM ${s}.recovery_codes c WHERE c.user_id = p;
  DELETE FROM ${s}.records r WHERE r.partition = p;
  DELETE FROM ${s}.counters c WHERE c.partition = p;
END
$fn$;
`;
}

/**
 * Versioned migrations. Never edit a released one; add the next version.
 * Times are epoch ms (bigint) from the caller's clock, not now().
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: (s) => `
CREATE TABLE ${s}.authenticators (
  user_id text NOT NULL,
  id text NOT NULL,
  type text NOT NULL,
  status text NOT NULL,
  secret text NOT NULL,
  display jsonb,
  created_at bigint NOT NULL,
  confirmed_at bigint,
  last_used_at bigint,
  last_step bigint,
  seq bigserial,
  PRIMARY KEY (user_id, id)
);
CREATE TABLE ${s}.recovery_codes (
  id bigserial PRIMARY KEY,
  user_id text NOT NULL,
  hash text NOT NULL,
  used_at bigint
);
CREATE INDEX recovery_codes_user ON ${s}.recovery_codes (user_id, hash);
CREATE TABLE ${s}.records (
  partition text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (partition, key)
);
CREATE INDEX records_expiry ON ${s}.records (expires_at);
CREATE TABLE ${s}.counters (
  partition text NOT NULL,
  key text NOT NULL,
  count integer NOT NULL,
  reset_at bigint NOT NULL,
  PRIMARY KEY (partition, key)
);
CREATE INDEX counters_expiry ON ${s}.counters (reset_at);

${hitFunction(s, 'CREATE')}`,
  },
  {
    version: 2,
    name: 'hit-serialised-per-partition',
    // Two hits on one partition could deadlock when a counter had just been reset (deleted)
    // and was re-inserted by one while the other locked the rest: seen under 20 parallel
    // verifies of one user. A transaction-level advisory lock per partition orders them.
    sql: (s) => hitFunction(s, 'CREATE OR REPLACE', true),
  },
  {
    version: 3,
    name: 'store-v2',
    sql: storeV2,
  },
];

/** Applies pending migrations under an advisory lock: idempotent, safe from two processes at once. */
export async function migrate(pool: pg.Pool, schema: string): Promise<number[]> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`twofa-migrate:${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.twofa_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = new Set((await client.query(`SELECT version FROM ${s}.twofa_migrations`)).rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql(s));
          await client.query(`INSERT INTO ${s}.twofa_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`twofa-migrate:${schema}`]);
    }
  } finally {
    client.release();
  }
}
