import { expect, vi } from 'vitest';
import { TwoFactorError, type ErrorCode } from '@twofa/core/adapter';

/** Every message on the error and its cause chain, plus its string form. */
function texts(e: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    if (cur instanceof Error) {
      out.push(cur.message, String(cur), cur.stack ?? '');
      cur = (cur as { cause?: unknown }).cause;
    } else {
      out.push(typeof cur === 'string' ? cur : safeJson(cur));
      break;
    }
  }
  return out;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Digits-only form too, so '+1 555 0100' style reformatting is caught. */
function forms(secret: string): string[] {
  const digits = secret.replace(/\D/g, '');
  return digits.length >= 7 && digits !== secret ? [secret, digits] : [secret];
}

/** Fails when any secret (credential, code, full number) shows in the error's messages. */
export function expectNoSecrets(e: unknown, secrets: readonly string[]): void {
  const all = texts(e).join('\n');
  for (const s of secrets) {
    if (!s) continue;
    for (const f of forms(s)) expect(all.includes(f), `error text leaks a secret (${f.slice(0, 3)}…)`).toBe(false);
  }
}

/** Awaits `p`, expecting a TwoFactorError with `code`; returns it. */
export async function expectTwoFactorError(p: Promise<unknown>, code: ErrorCode): Promise<TwoFactorError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected TwoFactorError ${code}, got a result`).toBeDefined();
  expect(caught).toBeInstanceOf(TwoFactorError);
  const err = caught as TwoFactorError;
  expect(err.code).toBe(code);
  return err;
}

/**
 * A provider call that never gets an answer must give up at `ms`, not before: with vitest's
 * fake timers, `call()` is still pending at `ms - 10` and has failed with
 * provider_unavailable at `ms + 10`. `arrived` tells when the request reached the fake
 * server (real I/O, awaited with setImmediate, which is not faked, so no fake time passes).
 */
export async function expectGivesUpAt(ms: number, call: () => Promise<unknown>, arrived: () => boolean): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    let settled: unknown = 'pending';
    const p = call().then(
      () => (settled = 'resolved'),
      (e: unknown) => (settled = e),
    );
    for (let i = 0; i < 100_000 && !arrived(); i++) await new Promise((r) => setImmediate(r));
    expect(arrived(), 'the request never reached the fake server').toBe(true);
    await vi.advanceTimersByTimeAsync(ms - 10);
    expect(settled).toBe('pending');
    await vi.advanceTimersByTimeAsync(20);
    await p;
    expect(settled).toMatchObject({ code: 'provider_unavailable' });
  } finally {
    vi.useRealTimers();
  }
}
