// An audit trail an app can keep: every twofa event, as an AuditRecord (schema v1,
// docs/operators.md#audit-trail), one row each. Copy this file into your app; it is an example, not a package.
import type pg from 'pg';
import type { AuditRecord } from '@twofa/core';

/** A plain identifier, since it is spliced into SQL. */
function table(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/.test(name)) throw new Error(`Invalid table name '${name}'.`);
  return name;
}

/** Creates the table if it is missing. Run it with your migrations. */
export async function createAuditTable(pool: pg.Pool, name = 'twofa_audit'): Promise<void> {
  const t = table(name);
  await pool.query(`CREATE TABLE IF NOT EXISTS ${t} (
    id bigserial PRIMARY KEY,
    v smallint NOT NULL,
    event text NOT NULL,
    at timestamptz NOT NULL,
    user_id text NOT NULL,
    actor text,
    method text,
    authenticator_id text,
    outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'info')),
    error_code text,
    detail text
  )`);
  await pool.query(`CREATE INDEX IF NOT EXISTS ${t.replace('.', '_')}_user_at ON ${t} (user_id, at)`);
}

/** A `write` for `auditTrail(twofa, write)`: one INSERT per record. */
export function postgresAuditSink(pool: pg.Pool, name = 'twofa_audit'): (record: AuditRecord) => Promise<void> {
  const sql = `INSERT INTO ${table(name)} (v, event, at, user_id, actor, method, authenticator_id, outcome, error_code, detail)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
  return async (r) => {
    await pool.query(sql, [r.v, r.event, r.at, r.userId, r.actor ?? null, r.method ?? null, r.authenticatorId ?? null, r.outcome, r.errorCode ?? null, r.detail ?? null]);
  };
}
