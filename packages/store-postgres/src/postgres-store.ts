import { createHash } from 'node:crypto';
import pg from 'pg';
import { TwoFactorError, type AuthenticatorRecord, type HitResult, type RateRule, type Settle, type Store } from '@twofa/core/adapter';
import { migrate, quoteSchema } from './migrations.js';

export interface PostgresStoreOptions {
  /** A pg Pool you own (the store will not end it). */
  pool?: pg.Pool;
  /** Or a connection string; the store opens and closes its own pool. */
  connectionString?: string;
  /** Schema holding the tables. Default 'twofa'. */
  schema?: string;
  /** Pool options used with connectionString. */
  poolOptions?: Omit<pg.PoolConfig, 'connectionString'>;
}

interface AuthRow {
  user_id: string;
  id: string;
  type: string;
  status: 'pending' | 'active';
  secret: string;
  display: Record<string, string> | null;
  created_at: string;
  confirmed_at: string | null;
  last_used_at: string | null;
}

const AUTH_COLS = 'user_id, id, type, status, secret, display, created_at, confirmed_at, last_used_at';

function toRecord(r: AuthRow): AuthenticatorRecord {
  const a: AuthenticatorRecord = { userId: r.user_id, id: r.id, type: r.type, status: r.status, secret: r.secret, createdAt: Number(r.created_at) };
  if (r.display !== null) a.display = r.display;
  if (r.confirmed_at !== null) a.confirmedAt = Number(r.confirmed_at);
  if (r.last_used_at !== null) a.lastUsedAt = Number(r.last_used_at);
  return a;
}

export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

/**
 * A Store on PostgreSQL. Every operation is one statement (CTEs for consume + settle),
 * correct at READ COMMITTED; the multi-counter hit is one call to the `hit()` function
 * the migrations create.
 */
export class PostgresStore implements Store {
  readonly name = 'postgres';
  /** Statements sent since creation, for tests and benchmarks. Each is one round trip. */
  readonly stats = { roundTrips: 0 };
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly s: string;
  private readonly owned: boolean;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'twofa';
    this.s = quoteSchema(this.schema);
    if (options.pool) {
      this.pool = options.pool;
      this.owned = false;
    } else if (options.connectionString) {
      this.pool = new pg.Pool({ connectionTimeoutMillis: 2000, ...options.poolOptions, connectionString: options.connectionString });
      this.owned = true;
    } else {
      throw new TwoFactorError('config_invalid', { message: 'postgresStore needs a pool or a connectionString.' });
    }
    // An idle client dying (server restart, pg_terminate_backend) must not crash the process.
    this.pool.on('error', () => {});
  }

  /** Applies pending migrations (advisory-locked, idempotent). Returns the versions applied. */
  migrate(): Promise<number[]> {
    return migrate(this.pool, this.schema);
  }

  private async q<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    this.stats.roundTrips++;
    try {
      // Named: each connection parses and plans a statement once, then only binds and executes it.
      return await this.pool.query<R>({ name: this.statementName(text), text, values });
    } catch (e) {
      const code = (e as { code?: string }).code;
      const hint = code === '42P01' || code === '3F000' || code === '42883' ? ' Run migrate() (or `twofa-postgres migrate`) first.' : '';
      // Fail closed: whatever went wrong, nothing was accepted.
      throw new TwoFactorError('store_unavailable', { provider: 'postgres', message: `The store could not be reached or refused the statement.${hint}`, cause: e });
    }
  }

  private readonly names = new Map<string, string>();
  private statementName(text: string): string {
    let n = this.names.get(text);
    if (!n) {
      n = `twofa_${createHash('sha1').update(`${this.schema}\0${text}`).digest('hex').slice(0, 20)}`;
      this.names.set(text, n);
    }
    return n;
  }

  /** One `SELECT 1`: the bare round trip benchmarks compare to. */
  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  /** CTE fragments applying a Settle when `cond` (a CTE name) returned a row. Params from $start. */
  private settle(partition: string, settle: Settle | undefined, cond: string, start: number, exceptRecord?: string) {
    const values = [settle?.reset ?? [], settle?.drop ?? [], settle?.touch ?? null, exceptRecord ?? null];
    const [r, d, t, x] = [start, start + 1, start + 2, start + 3];
    const sql = `
  s_reset AS (DELETE FROM ${this.s}.counters WHERE partition = $1 AND key = ANY ($${r}::text[]) AND EXISTS (SELECT 1 FROM ${cond})),
  s_drop AS (DELETE FROM ${this.s}.records WHERE partition = $1 AND key = ANY ($${d}::text[]) AND key IS DISTINCT FROM $${x}::text AND EXISTS (SELECT 1 FROM ${cond})),`;
    return { sql, values, touchParam: t };
  }

  async getAuthenticators(userId: string): Promise<AuthenticatorRecord[]> {
    const r = await this.q<AuthRow>(`SELECT ${AUTH_COLS} FROM ${this.s}.authenticators WHERE user_id = $1 ORDER BY created_at, seq`, [userId]);
    return r.rows.map(toRecord);
  }

  async saveAuthenticator(a: AuthenticatorRecord, replace: string[] = []): Promise<void> {
    await this.q(
      `WITH gone AS (DELETE FROM ${this.s}.authenticators WHERE user_id = $1 AND id = ANY ($10::text[]) AND id <> $2)
       INSERT INTO ${this.s}.authenticators (${AUTH_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (user_id, id) DO UPDATE SET type = EXCLUDED.type, status = EXCLUDED.status, secret = EXCLUDED.secret,
         display = EXCLUDED.display, created_at = EXCLUDED.created_at, confirmed_at = EXCLUDED.confirmed_at, last_used_at = EXCLUDED.last_used_at`,
      [a.userId, a.id, a.type, a.status, a.secret, a.display === undefined ? null : JSON.stringify(a.display), a.createdAt, a.confirmedAt ?? null, a.lastUsedAt ?? null, replace],
    );
  }

  async deleteAuthenticators(userId: string, ids: string[]): Promise<number> {
    const r = await this.q(`DELETE FROM ${this.s}.authenticators WHERE user_id = $1 AND id = ANY ($2::text[])`, [userId, ids]);
    return r.rowCount ?? 0;
  }

  async useTotpStep(userId: string, authenticatorId: string, step: number, now: number, settle?: Settle): Promise<boolean> {
    const st = this.settle(userId, settle, 'won', 5);
    const r = await this.q(
      `WITH won AS (
         UPDATE ${this.s}.authenticators SET last_step = $3, last_used_at = $4
         WHERE user_id = $1 AND id = $2 AND (last_step IS NULL OR last_step < $3) RETURNING id),${st.sql}
       s_touch AS (UPDATE ${this.s}.authenticators SET last_used_at = $4
         WHERE user_id = $1 AND id = $${st.touchParam}::text AND id <> $2 AND EXISTS (SELECT 1 FROM won))
       SELECT count(*)::int AS n FROM won`,
      [userId, authenticatorId, step, now, ...st.values],
    );
    return r.rows[0]!.n === 1;
  }

  async setRecoveryCodes(userId: string, hashes: string[], _now?: number): Promise<void> {
    await this.q(
      `WITH gone AS (DELETE FROM ${this.s}.recovery_codes WHERE user_id = $1)
       INSERT INTO ${this.s}.recovery_codes (user_id, hash) SELECT $1, h FROM unnest($2::text[]) WITH ORDINALITY AS t(h, o) ORDER BY o`,
      [userId, hashes],
    );
  }

  async useRecoveryCode(userId: string, hashes: string[], now: number, settle?: Settle): Promise<boolean> {
    const st = this.settle(userId, settle, 'won', 4);
    // SKIP LOCKED: a code another call is consuming right now is not ours to take.
    const r = await this.q(
      `WITH won AS (
         UPDATE ${this.s}.recovery_codes SET used_at = $3
         WHERE id = (SELECT id FROM ${this.s}.recovery_codes WHERE user_id = $1 AND hash = ANY ($2::text[]) AND used_at IS NULL
                     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
           AND used_at IS NULL RETURNING id),${st.sql}
       s_touch AS (UPDATE ${this.s}.authenticators SET last_used_at = $3
         WHERE user_id = $1 AND id = $${st.touchParam}::text AND EXISTS (SELECT 1 FROM won))
       SELECT count(*)::int AS n FROM won`,
      [userId, hashes, now, ...st.values],
    );
    return r.rows[0]!.n === 1;
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    const r = await this.q<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.s}.recovery_codes WHERE user_id = $1 AND used_at IS NULL`, [userId]);
    return r.rows[0]!.n;
  }

  async putRecord(partition: string, key: string, value: string, expiresAt: number): Promise<void> {
    await this.q(
      `INSERT INTO ${this.s}.records (partition, key, value, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (partition, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [partition, key, value, expiresAt],
    );
  }

  async getRecord(partition: string, key: string, now: number): Promise<string | null> {
    const r = await this.q<{ value: string }>(`SELECT value FROM ${this.s}.records WHERE partition = $1 AND key = $2 AND expires_at > $3`, [partition, key, now]);
    return r.rows[0]?.value ?? null;
  }

  async takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null> {
    const st = this.settle(partition, settle, 'won', 4, key);
    st.values[3] = key;
    const r = await this.q<{ value: string }>(
      `WITH won AS (DELETE FROM ${this.s}.records WHERE partition = $1 AND key = $2 AND expires_at > $3 RETURNING value),${st.sql}
       s_touch AS (UPDATE ${this.s}.authenticators SET last_used_at = $3
         WHERE user_id = $1 AND id = $${st.touchParam}::text AND EXISTS (SELECT 1 FROM won))
       SELECT value FROM won`,
      [partition, key, now, ...st.values],
    );
    return r.rows[0]?.value ?? null;
  }

  async hit(partition: string, rules: RateRule[], now: number, load?: { authenticators?: boolean; record?: string }): Promise<HitResult> {
    const loadAuth = load?.authenticators === true;
    const recKey = load?.record ?? null;
    const r = await this.q<{ allowed: boolean; counts: number[]; resets: string[]; auths: AuthRow[] | null; record: string | null }>(
      `SELECT h.allowed, h.counts, h.resets,
         CASE WHEN $7::boolean THEN (SELECT coalesce(json_agg(a ORDER BY a.created_at, a.seq), '[]'::json) FROM
           (SELECT ${AUTH_COLS}, seq FROM ${this.s}.authenticators WHERE user_id = $1) a) END AS auths,
         (SELECT value FROM ${this.s}.records WHERE partition = $1 AND key = $8::text AND expires_at > $6) AS record
       FROM ${this.s}.hit($1, $2::text[], $3::int[], $4::bigint[], $5::bigint[], $6) h`,
      [
        partition,
        rules.map((x) => x.key),
        rules.map((x) => x.limit),
        rules.map((x) => x.windowSeconds * 1000),
        rules.map((x) => (x.blockSeconds === undefined ? null : x.blockSeconds * 1000)),
        now,
        loadAuth,
        recKey,
      ],
    );
    const row = r.rows[0]!;
    const result: HitResult = { allowed: row.allowed, counts: row.counts.map(Number), resetAt: row.resets.map(Number) };
    if (loadAuth) result.authenticators = (row.auths ?? []).map(toRecord);
    if (recKey !== null) result.record = row.record;
    return result;
  }

  async resetCounters(partition: string, keys: string[]): Promise<void> {
    await this.q(`DELETE FROM ${this.s}.counters WHERE partition = $1 AND key = ANY ($2::text[])`, [partition, keys]);
  }

  /** Deletes expired records and counters (run it from a timer or cron). Returns how many rows went. */
  async prune(now: number = Date.now()): Promise<number> {
    const r = await this.q<{ n: number }>(
      `WITH a AS (DELETE FROM ${this.s}.records WHERE expires_at <= $1 RETURNING 1),
            b AS (DELETE FROM ${this.s}.counters WHERE reset_at <= $1 RETURNING 1)
       SELECT (SELECT count(*) FROM a)::int + (SELECT count(*) FROM b)::int AS n`,
      [now],
    );
    return r.rows[0]!.n;
  }

  async close(): Promise<void> {
    if (this.owned) await this.pool.end();
  }
}
