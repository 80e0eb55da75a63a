import type pg from 'pg';

/** `"schema"` after checking it is a plain identifier (it is spliced into SQL). */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Invalid schema name '${schema}': use lower-case letters, digits and _ (max 63).`);
  }
  return `"${schema}"`;
}

export interface Migration {
  version: number;
  name: string;
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
