import { createHash } from 'node:crypto';
import pg from 'pg';
import { TwoFactorError, type AuthenticatorRecord, type Consumable, type HitOptions, type HitResult, type RateRule, type RecoveryCodesState, type Settle, type Store, type StoredRecord } from '@twofa/core/adapter';
import { migrate, quoteSchema } from './migrations.js';

/** Options of `postgresStore()`: a pool of yours, or a connection string; the schema. */
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
  method: string;
  status: 'pending' | 'active';
  name: string | null;
  secret: string;
  display: Record<string, string> | null;
  // bigint: strings from a row, numbers from json_agg.
  created_at: string | number;
  confirmed_at: string | number | null;
  last_used_at: string | number | null;
  counter: string | number | null;
}

// The 0.1 column names stay (type, last_step): migration 3 is additive.
const AUTH_COLS = 'user_id, id, type AS method, status, name, secret, display, created_at, confirmed_at, last_used_at, last_step AS counter';

function toRecord(r: AuthRow): AuthenticatorRecord {
  const a: AuthenticatorRecord = { userId: r.user_id, id: r.id, method: r.method, status: r.status, secret: r.secret, createdAt: Number(r.created_at) };
  if (r.name !== null) a.name = r.name;
  if (r.display !== null) a.display = r.display;
  if (r.confirmed_at !== null) a.confirmedAt = Number(r.confirmed_at);
  if (r.last_used_at !== null) a.lastUsedAt = Number(r.last_used_at);
  if (r.counter !== null) a.counter = Number(r.counter);
  return a;
}

/** $1..$10 of an authenticator write (the counter is never written here). */
const authValues = (a: AuthenticatorRecord) => [
  a.userId,
  a.id,
  a.method,
  a.status,
  a.name ?? null,
  a.secret,
  a.display === undefined ? null : JSON.stringify(a.display),
  a.createdAt,
  a.confirmedAt ?? null,
  a.lastUsedAt ?? null,
];

/** The arguments of the consume() function after (partition, now): a Consumable and a Settle. */
const consumeArgs = (what: Consumable, settle: Settle = {}) => [
  what.record ?? null,
  what.counter?.authenticatorId ?? null,
  what.counter?.value ?? null,
  what.counter?.allowZero === true,
  what.recoveryCode ?? null,
  settle.reset ?? [],
  settle.drop ?? [],
  settle.touch ?? null,
];
const CONSUME_PARAMS = '$3::text, $4::text, $5::bigint, $6::boolean, $7::text[], $8::text[], $9::text[], $10::text';

/** A Store on PostgreSQL. Run `migrate()` (or `twofa-postgres migrate`) before first use; see docs/stores.md. */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

/**
 * A Store on PostgreSQL. Every operation is one statement, correct at READ COMMITTED:
 * a conditional write, or one call of a function the migrations create (hit_consume,
 * consume, put_record, purge) where it writes several rows of a partition.
 */
export class PostgresStore implements Store {
  readonly name = 'postgres';
  /** Statements sent since creation, for tests and benchmarks. Each is one round trip. */
  readonly stats = { roundTrips: 0 };
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly s: string;
  private readonly owned: boolean;

  /** Use `postgresStore(options)`; the same. */
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
      const hint = code === '42P01' || code === '3F000' || code === '42883' || code === '42703' ? ' Run migrate() (or `twofa-postgres migrate`) first.' : '';
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

  async getAuthenticators(userId: string): Promise<AuthenticatorRecord[]> {
    const r = await this.q<AuthRow>(`SELECT ${AUTH_COLS} FROM ${this.s}.authenticators WHERE user_id = $1 ORDER BY created_at, seq`, [userId]);
    return r.rows.map(toRecord);
  }

  async saveAuthenticator(a: AuthenticatorRecord, replace: string[] = []): Promise<void> {
    // Replacing in place leaves last_step (the counter) as it is; deleted rows take theirs along.
    await this.q(
      `WITH gone AS (DELETE FROM ${this.s}.authenticators WHERE user_id = $1 AND id = ANY ($11::text[]) AND id <> $2)
       INSERT INTO ${this.s}.authenticators (user_id, id, type, status, name, secret, display, created_at, confirmed_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (user_id, id) DO UPDATE SET type = EXCLUDED.type, status = EXCLUDED.status, name = EXCLUDED.name, secret = EXCLUDED.secret,
         display = EXCLUDED.display, created_at = EXCLUDED.created_at, confirmed_at = EXCLUDED.confirmed_at, last_used_at = EXCLUDED.last_used_at`,
      [...authValues(a), replace],
    );
  }

  async updateAuthenticator(a: AuthenticatorRecord, ifSecret: string): Promise<boolean> {
    // A loser re-checks the secret on the winner's row version and updates nothing. last_used_at
    // only moves forward: re-encrypting the record read before a touch must not undo the touch.
    const r = await this.q(
      `UPDATE ${this.s}.authenticators SET type = $3, status = $4, name = $5, secret = $6, display = $7, created_at = $8, confirmed_at = $9,
         last_used_at = greatest(last_used_at, $10)
       WHERE user_id = $1 AND id = $2 AND secret = $11`,
      [...authValues(a), ifSecret],
    );
    return r.rowCount === 1;
  }

  async deleteAuthenticators(userId: string, ids: string[]): Promise<number> {
    const r = await this.q(`DELETE FROM ${this.s}.authenticators WHERE user_id = $1 AND id = ANY ($2::text[])`, [userId, ids]);
    return r.rowCount ?? 0;
  }

  private async consumeRow(partition: string, what: Consumable, now: number, settle?: Settle): Promise<{ ok: boolean; got: string | null }> {
    const r = await this.q<{ ok: boolean; got: string | null }>(`SELECT ok, got FROM ${this.s}.consume($1, $2, ${CONSUME_PARAMS})`, [partition, now, ...consumeArgs(what, settle)]);
    return r.rows[0]!;
  }

  async consume(userId: string, what: Consumable, now: number, settle?: Settle): Promise<boolean> {
    return (await this.consumeRow(userId, what, now, settle)).ok;
  }

  async setRecoveryCodes(userId: string, hashes: string[], _now?: number): Promise<void> {
    await this.q(
      `WITH gone AS (DELETE FROM ${this.s}.recovery_codes WHERE user_id = $1)
       INSERT INTO ${this.s}.recovery_codes (user_id, hash) SELECT $1, h FROM unnest($2::text[]) WITH ORDINALITY AS t(h, o) ORDER BY o`,
      [userId, hashes],
    );
  }

  /** How many of the user's recovery codes are unused, and when one was last used. */
  async recoveryCodes(userId: string): Promise<RecoveryCodesState> {
    const r = await this.q<{ remaining: number; last: string | null }>(
      `SELECT count(*) FILTER (WHERE used_at IS NULL)::int AS remaining, max(used_at) AS last FROM ${this.s}.recovery_codes WHERE user_id = $1`,
      [userId],
    );
    const { remaining, last } = r.rows[0]!;
    return { remaining, ...(last !== null ? { lastUsedAt: Number(last) } : {}) };
  }

  async putRecord(partition: string, key: string, value: string, expiresAt: number, now: number): Promise<string | null> {
    const r = await this.q<{ previous: string | null }>(`SELECT ${this.s}.put_record($1, $2, $3, $4, $5) AS previous`, [partition, key, value, expiresAt, now]);
    return r.rows[0]!.previous;
  }

  async takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null> {
    const r = await this.consumeRow(partition, { record: key }, now, settle);
    return r.ok ? r.got : null;
  }

  async listRecords(partition: string, prefix: string, now: number): Promise<StoredRecord[]> {
    const r = await this.q<{ key: string; value: string; expires_at: string }>(
      `SELECT key, value, expires_at FROM ${this.s}.records WHERE partition = $1 AND starts_with(key, $2) AND expires_at > $3 ORDER BY key COLLATE "C"`,
      [partition, prefix, now],
    );
    return r.rows.map((x) => ({ key: x.key, value: x.value, expiresAt: Number(x.expires_at) }));
  }

  async hit(partition: string, rules: RateRule[], now: number, options: HitOptions = {}): Promise<HitResult> {
    const load = options.load ?? {};
    const r = await this.q<{
      allowed: boolean;
      counts: number[];
      resets: string[];
      consumed: boolean | null;
      auths: AuthRow[] | null;
      rec_value: string | null;
      counter_counts: number[] | null;
      counter_resets: string[] | null;
    }>(
      `SELECT * FROM ${this.s}.hit_consume($1, $2, $11::text[], $12::int[], $13::bigint[], $14::bigint[], $15::boolean, ${CONSUME_PARAMS},
         $16::boolean, $17::text, $18::text[])`,
      [
        partition,
        now,
        ...consumeArgs(options.consume ?? {}, options.settle),
        rules.map((x) => x.key),
        rules.map((x) => x.limit),
        rules.map((x) => x.windowSeconds * 1000),
        rules.map((x) => (x.blockSeconds === undefined ? null : x.blockSeconds * 1000)),
        options.consume !== undefined,
        load.authenticators === true,
        load.record ?? null,
        load.counters ?? null,
      ],
    );
    const row = r.rows[0]!;
    const result: HitResult = { allowed: row.allowed, counts: row.counts.map(Number), resetAt: row.resets.map(Number) };
    if (options.consume) result.consumed = row.consumed === true;
    if (load.authenticators) result.authenticators = (row.auths ?? []).map(toRecord);
    if (load.record !== undefined) result.record = row.rec_value;
    if (load.counters) result.counters = (row.counter_counts ?? []).map((count, i) => ({ count, resetAt: Number(row.counter_resets![i]) }));
    return result;
  }

  async resetCounters(partition: string, keys: string[]): Promise<void> {
    await this.q(`DELETE FROM ${this.s}.counters WHERE partition = $1 AND key = ANY ($2::text[])`, [partition, keys]);
  }

  async purge(partition: string): Promise<void> {
    await this.q(`SELECT ${this.s}.purge($1)`, [partition]);
  }

  /** Every user with authenticators, by user id, in pages of `batch` (keyset pagination). */
  async *users(batch = 500): AsyncIterable<string> {
    let after: string | undefined;
    for (;;) {
      const r =
        after === undefined
          ? await this.q<{ user_id: string }>(`SELECT DISTINCT user_id FROM ${this.s}.authenticators ORDER BY user_id LIMIT $1`, [batch])
          : await this.q<{ user_id: string }>(`SELECT DISTINCT user_id FROM ${this.s}.authenticators WHERE user_id > $2 ORDER BY user_id LIMIT $1`, [batch, after]);
      for (const row of r.rows) yield row.user_id;
      if (r.rows.length < batch) return;
      after = r.rows[r.rows.length - 1]!.user_id;
    }
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
