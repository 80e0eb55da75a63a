import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail, consoleSender, createTwoFactor, localVerifier, MemoryStore, phone, recoveryCodes, totp, type AuditRecord } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { createAuditTable, postgresAuditSink } from '../src/postgres-audit-sink.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('audit trail into PostgreSQL', () => {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2000 });
  const tableName = `twofa_audit_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${tableName}`).catch(() => undefined);
    await pool.end();
  });
  beforeAll(async () => {
    await createAuditTable(pool, tableName); // an unreachable server fails here, and the suite with it
  });

  it('writes one row per event, in the stable schema, with no code, secret or number', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const twofa = createTwoFactor({
      issuer: 'Acme',
      store: new MemoryStore(),
      clock,
      encryptionKeys: ['d4'.repeat(32)],
      methods: [totp(), phone({ verifier: localVerifier({ sender: consoleSender({ write: () => {}, onMessage: (m) => sent.push(m.vars!.code) }) }) }), recoveryCodes()],
    });
    const errors: unknown[] = [];
    const pending: Promise<void>[] = [];
    const write = postgresAuditSink(pool, tableName);
    auditTrail(twofa, (r) => {
      const p = write(r);
      pending.push(p);
      return p;
    }, { onError: (e) => errors.push(e) });

    const e = await twofa.enroll('ada', 'totp', { name: 'Phone' });
    const confirmed = await twofa.confirmEnrollment('ada', e.id, generateSync({ secret: e.secret, epoch: clock.now() / 1000 }));
    const p = await twofa.enroll('ada', 'phone', { phoneNumber: '+12015550123' });
    await twofa.confirmEnrollment('ada', p.id, sent.at(-1)!);
    clock.advanceSeconds(30);
    for (let i = 0; i < 5; i++) await twofa.verify('ada', { method: 'totp', code: '000000' });
    await twofa.reset('ada', { actor: 'support:bo', reason: 'lost every factor (ticket 7)' });
    await Promise.all(pending);
    expect(errors).toEqual([]);

    const rows = (await pool.query(`SELECT v, event, user_id, actor, method, outcome, error_code, detail, at FROM ${tableName} ORDER BY id`)).rows as Record<string, unknown>[];
    // Writes run concurrently on the pool: compare what arrived, not the order of ids.
    const sorted = (x: unknown[][]) => x.map((r) => JSON.stringify(r)).sort();
    expect(sorted(rows.map((r) => [r.event, r.outcome, r.error_code ?? null]))).toEqual(sorted([
      ['verification.succeeded', 'success', null],
      ['authenticator.enrolled', 'success', null],
      ['authenticator.enrolled', 'success', null], // the recovery set
      ['verification.sent', 'info', null],
      ['verification.succeeded', 'success', null],
      ['authenticator.enrolled', 'success', null],
      ['verification.failed', 'failure', 'invalid_code'],
      ['verification.failed', 'failure', 'invalid_code'],
      ['verification.failed', 'failure', 'invalid_code'],
      ['verification.failed', 'failure', 'invalid_code'],
      ['user.locked', 'failure', 'locked'],
      ['verification.failed', 'failure', 'invalid_code'],
      ['admin.reset', 'info', null],
    ]));
    expect(rows.every((r) => r.v === 1 && r.user_id === 'ada' && r.at instanceof Date)).toBe(true);
    expect(rows.find((r) => r.event === 'admin.reset')).toMatchObject({ actor: 'support:bo', detail: 'lost every factor (ticket 7)' });
    expect(rows.find((r) => r.event === 'verification.sent')!.detail).toBe('enroll sms +1 ••• ••• 0123');
    const text = JSON.stringify(rows);
    for (const secret of [e.secret, '2015550123', ...sent, ...(confirmed.ok ? confirmed.recoveryCodes ?? [] : [])]) {
      expect(new RegExp(`(?<![\\d])${secret}(?![\\d])`).test(text), 'a secret reached the audit table').toBe(false);
    }
  });

  it('a failing sink never fails the verification: the error goes to onError', async () => {
    const clock = new FakeClock();
    const twofa = createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), clock, encryptionKeys: ['d4'.repeat(32)], methods: [totp(), recoveryCodes()] });
    const errors: AuditRecord[] = [];
    auditTrail(twofa, postgresAuditSink(pool, 'no_such_table_here'), { onError: (_e, r) => errors.push(r) });
    const e = await twofa.enroll('bo', 'totp');
    const r = await twofa.confirmEnrollment('bo', e.id, generateSync({ secret: e.secret, epoch: clock.now() / 1000 }));
    expect(r.ok).toBe(true);
    // Every event of the confirmation failed to write, in whatever order the pool answered.
    await expect.poll(() => errors.length).toBe(3);
    expect(errors.map((e) => e.event).sort()).toEqual(['authenticator.enrolled', 'authenticator.enrolled', 'verification.succeeded']);
    expect(errors.every((e) => e.userId === 'bo')).toBe(true);
  });
});
