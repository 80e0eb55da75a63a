import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, TwoFactorError } from '@twofa/core';
import { ERROR_HTTP, errorAnswer, RESULT_HTTP, resultAnswer, type Mapping } from '../src/http.js';

// docs/integrating.md's "HTTP statuses" tables, row by row: `code` | status | message.
function docTables(): Record<string, Record<string, Mapping>> {
  const page = readFileSync(new URL('../../../docs/integrating.md', import.meta.url), 'utf8');
  const section = page.split(/^## /m).find((s) => s.startsWith('HTTP statuses'));
  if (!section) throw new Error('docs/integrating.md has no "## HTTP statuses" section');
  return Object.fromEntries(
    section.split(/^### /m).slice(1).map((table) => {
      const rows = table.split('\n').flatMap((line) => {
        const m = /^\| `([a-z_]+)` \| (\d{3}) \| (.+) \|$/.exec(line);
        return m ? [[m[1]!, { status: Number(m[2]), message: m[3]! }] as const] : [];
      });
      return [table.split('\n')[0]!.trim(), Object.fromEntries(rows)];
    }),
  );
}

describe('HTTP statuses: one table, in docs/integrating.md and in the code the recipes import', () => {
  it('maps every TwoFactorError code and every verification result, as the page says', () => {
    expect(Object.keys(ERROR_HTTP).sort()).toEqual(Object.keys(ErrorCodes).sort());
    const tables = docTables();
    expect(tables['Thrown TwoFactorError codes']).toEqual(ERROR_HTTP);
    expect(tables['Results of verify() and confirmEnrollment()']).toEqual(RESULT_HTTP);
  });

  it('answers with the stable code, the message and Retry-After, never the error text', () => {
    const now = Date.UTC(2030, 0, 1);
    const a = errorAnswer(new TwoFactorError('resend_cooldown', { message: 'internal detail +12015550123', retryAt: now + 90_500 }), now);
    expect(a).toEqual({ status: 429, body: { error: 'resend_cooldown', message: ERROR_HTTP.resend_cooldown.message, retryAt: now + 90_500 }, headers: { 'cache-control': 'no-store', 'retry-after': '91' } });
    expect(errorAnswer(new TwoFactorError('rate_limited', { retryAfter: 7 }), now).headers['retry-after']).toBe('7');
    expect(errorAnswer(new Error('boom'), now)).toMatchObject({ status: 500, body: { error: 'internal' } });
  });

  it('answers results: 200 when ok, else by error with the attempts left in words', () => {
    expect(resultAnswer({ ok: true, method: 'totp', authenticatorId: 'a1' }).status).toBe(200);
    expect(resultAnswer({ ok: false, error: 'invalid_code', attemptsLeft: 1 }).body.message).toBe("That code didn't work. 1 try left.");
    expect(resultAnswer({ ok: false, error: 'invalid_code', attemptsLeft: 0, retryAt: 2_000 }, 1_000)).toMatchObject({ status: 401, headers: { 'retry-after': '1' } });
    expect(resultAnswer({ ok: false, error: 'suspended', attemptsLeft: 0 }).status).toBe(423);
  });
});
