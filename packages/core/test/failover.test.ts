import { describe, expect, it } from 'vitest';
import { createTwoFactor, failover, MemoryStore, localVerifier, phone, recoveryCodes, TwoFactorError, type Channel, type FailoverEvent, type MessageSender, type Verifier } from '@twofa/core';
import { type CheckStatus, type StartInput } from '@twofa/core/adapter';
import { FakeClock } from '@twofa/testkit';

const NUMBER = '+14155550123';

type Outcome = 'ok' | Error;

/** A scripted in-memory Verifier: each start() takes the next outcome (the last one repeats). */
class ScriptedVerifier implements Verifier {
  readonly starts: StartInput[] = [];
  readonly checks: { id: string; code: string }[] = [];
  readonly cancels: string[] = [];
  lookups = 0;
  private n = 0;
  lineType: string | Error = 'mobile';
  checkResult: CheckStatus | Error = 'approved';

  constructor(
    readonly name: string,
    private readonly script: Outcome[] = ['ok'],
    readonly channels: readonly Channel[] = ['sms', 'call'],
    idPrefix = name,
  ) {
    this.idPrefix = idPrefix;
  }
  private readonly idPrefix: string;

  async start(input: StartInput) {
    this.starts.push(input);
    const o = this.script[Math.min(this.n++, this.script.length - 1)]!;
    if (o !== 'ok') throw o;
    return { id: `${this.idPrefix}-${this.starts.length}`, channel: input.channel, expiresAt: 1_000 };
  }
  async check(input: { id: string; code: string }) {
    this.checks.push(input);
    if (this.checkResult instanceof Error) throw this.checkResult;
    return this.checkResult;
  }
  async cancel(id: string) {
    this.cancels.push(id);
    return true;
  }
  async lookupLineType(_e164: string) {
    this.lookups++;
    if (this.lineType instanceof Error) throw this.lineType;
    return this.lineType;
  }
}

class ScriptedSender implements MessageSender {
  sent = 0;
  private n = 0;
  constructor(
    readonly name: string,
    private readonly script: Outcome[] = ['ok'],
    readonly channels: readonly Channel[] = ['sms'],
  ) {}
  async send() {
    this.sent++;
    const o = this.script[Math.min(this.n++, this.script.length - 1)]!;
    if (o !== 'ok') throw o;
    return { id: `${this.name}-msg-${this.sent}` };
  }
}

const down = () => new TwoFactorError('provider_unavailable', { provider: 'x', providerCode: 503 });
const throttled = () => new TwoFactorError('rate_limited', { retryAfter: 7 });
const invalid = () => new TwoFactorError('invalid_destination', { providerCode: 400 });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const start = (v: Verifier, channel: Channel = 'sms') => v.start({ to: NUMBER, channel });

async function errorOf(p: Promise<unknown>): Promise<TwoFactorError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TwoFactorError);
    return e as TwoFactorError;
  }
  throw new Error('expected a rejection');
}

const codeOf = async (p: Promise<unknown>): Promise<string> => (await errorOf(p)).code;

describe('failover: which provider is used', () => {
  it('uses the first provider when it answers, and never calls the next', async () => {
    const a = new ScriptedVerifier('a');
    const b = new ScriptedVerifier('b');
    const v = failover([a, b]);
    const started = await start(v);
    expect(started.id).toBe('0:a-1');
    expect(a.starts).toHaveLength(1);
    expect(b.starts).toHaveLength(0);
  });

  it('moves to the next provider on provider_unavailable, then checks at the one that sent', async () => {
    const a = new ScriptedVerifier('a', [down()]);
    const b = new ScriptedVerifier('b');
    const v = failover([a, b]);
    const started = await start(v);
    expect(started.id).toBe('1:b-1');
    expect(started.channel).toBe('sms');
    expect(await v.check({ id: started.id, code: '123456' })).toBe('approved');
    expect(b.checks).toEqual([{ id: 'b-1', code: '123456' }]);
    expect(a.checks).toHaveLength(0);
    expect(await v.cancel(started.id)).toBe(true);
    expect(b.cancels).toEqual(['b-1']);
    expect(a.cancels).toHaveLength(0);
  });

  it('moves on rate_limited and on a raw network error', async () => {
    const a = new ScriptedVerifier('a', [throttled()]);
    const b = new ScriptedVerifier('b', [refused()]);
    const c = new ScriptedVerifier('c');
    const started = await start(failover([a, b, c]));
    expect(started.id).toBe('2:c-1');
    expect([a.starts.length, b.starts.length, c.starts.length]).toEqual([1, 1, 1]);
  });

  it('stops at a permanent error: an invalid number is not tried at every provider', async () => {
    const a = new ScriptedVerifier('a', [invalid()]);
    const b = new ScriptedVerifier('b');
    expect(await codeOf(start(failover([a, b])))).toBe('invalid_destination');
    expect(b.starts).toHaveLength(0);
  });

  it('turns an unknown non-network error into a permanent provider_error', async () => {
    const a = new ScriptedVerifier('a', [new RangeError('bug in adapter')]);
    const b = new ScriptedVerifier('b');
    const err = await errorOf(start(failover([a, b])));
    expect(err).toBeInstanceOf(TwoFactorError);
    expect((err as TwoFactorError).code).toBe('provider_error');
    expect((err as TwoFactorError).provider).toBe('a');
    expect(b.starts).toHaveLength(0);
  });

  it('throws the last retryable error when every provider fails, calling each once', async () => {
    const a = new ScriptedVerifier('a', [throttled()]);
    const b = new ScriptedVerifier('b', [refused()]);
    const err = await errorOf(start(failover([a, b], { breaker: false })));
    expect(err).toBeInstanceOf(TwoFactorError);
    expect((err as TwoFactorError).code).toBe('provider_unavailable');
    expect((err as TwoFactorError).retryable).toBe(true);
    expect((err as TwoFactorError).provider).toBe('b');
    expect([a.starts.length, b.starts.length]).toEqual([1, 1]);

    const last = await errorOf(start(failover([new ScriptedVerifier('c', [down()]), new ScriptedVerifier('d', [throttled()])])));
    expect(last.code).toBe('rate_limited');
    expect(last.retryAfter).toBe(7);
  });

  it('passes the start input through unchanged', async () => {
    const a = new ScriptedVerifier('a');
    await failover([a]).start({ to: NUMBER, channel: 'call', locale: 'fr' });
    expect(a.starts).toEqual([{ to: NUMBER, channel: 'call', locale: 'fr' }]);
  });
});

describe('failover: ids route check and cancel with no shared state', () => {
  it('a fresh instance (a restart, another server) checks at the right provider', async () => {
    const a = new ScriptedVerifier('a', [down()]);
    const b = new ScriptedVerifier('b');
    const started = await start(failover([a, b]));
    const other = failover([a, b]);
    a.checkResult = new TwoFactorError('verification_not_found');
    b.checkResult = 'pending';
    expect(await other.check({ id: started.id, code: '000000' })).toBe('pending');
    expect(b.checks).toEqual([{ id: 'b-1', code: '000000' }]);
  });

  it('keeps an inner id that itself holds colons', async () => {
    const a = new ScriptedVerifier('a', ['ok'], ['sms'], 'urn:x:1');
    const v = failover([a]);
    const started = await start(v);
    expect(started.id).toBe('0:urn:x:1-1');
    await v.check({ id: started.id, code: '1' });
    expect(a.checks[0]!.id).toBe('urn:x:1-1');
  });

  it('refuses ids it did not make', async () => {
    const a = new ScriptedVerifier('a');
    const v = failover([a, new ScriptedVerifier('b')]);
    for (const id of ['a-1', '2:a-1', ':x', '0:', 'x:y', '-1:a']) {
      expect(await codeOf(v.check({ id, code: '1' }))).toBe('verification_not_found');
      expect(await v.cancel(id)).toBe(false);
    }
    expect(a.checks).toHaveLength(0);
    expect(a.cancels).toHaveLength(0);
  });

  it('does not fail over a check: the owner’s error comes back typed', async () => {
    const a = new ScriptedVerifier('a');
    const b = new ScriptedVerifier('b');
    const v = failover([a, b]);
    const started = await start(v);
    a.checkResult = down();
    expect(await codeOf(v.check({ id: started.id, code: '1' }))).toBe('provider_unavailable');
    a.checkResult = refused();
    expect(await codeOf(v.check({ id: started.id, code: '1' }))).toBe('provider_unavailable');
    expect(b.checks).toHaveLength(0);
  });
});

describe('failover: circuit breaker', () => {
  it('skips a provider after N consecutive retryable failures, for the cooldown', async () => {
    const clock = new FakeClock();
    const a = new ScriptedVerifier('a', [down()]);
    const b = new ScriptedVerifier('b');
    const events: FailoverEvent[] = [];
    const v = failover([a, b], { breaker: { failures: 3, cooldownSeconds: 60 }, clock, onEvent: (e) => events.push(e) });

    for (let i = 0; i < 3; i++) await start(v);
    expect(a.starts).toHaveLength(3);
    expect(events).toContainEqual({ type: 'breaker_open', provider: 'a', until: clock.now() + 60_000 });

    // Open: a is not called at all.
    await start(v);
    clock.advanceSeconds(59);
    await start(v);
    expect(a.starts).toHaveLength(3);
    expect(b.starts).toHaveLength(5);
    expect(events).toContainEqual({ type: 'skipped', provider: 'a', reason: 'breaker_open' });

    // Half-open after the cooldown: one try; one more failure re-opens it.
    clock.advanceSeconds(1);
    await start(v);
    expect(a.starts).toHaveLength(4);
    await start(v);
    expect(a.starts).toHaveLength(4);
  });

  it('closes again after a success at the half-open try', async () => {
    const clock = new FakeClock();
    const a = new ScriptedVerifier('a', [down(), down(), 'ok']);
    const b = new ScriptedVerifier('b');
    const events: FailoverEvent[] = [];
    const v = failover([a, b], { breaker: { failures: 2, cooldownSeconds: 10 }, clock, onEvent: (e) => events.push(e) });
    await start(v);
    await start(v);
    expect((await start(v)).id).toMatch(/^1:/);
    clock.advanceSeconds(10);
    expect((await start(v)).id).toMatch(/^0:/);
    expect(events).toContainEqual({ type: 'breaker_closed', provider: 'a' });
    expect((await start(v)).id).toMatch(/^0:/);
  });

  it('counts only consecutive retryable failures: a permanent answer resets the count', async () => {
    const clock = new FakeClock();
    const a = new ScriptedVerifier('a', [down(), down(), invalid(), down(), down(), 'ok']);
    const b = new ScriptedVerifier('b');
    const v = failover([a, b], { breaker: { failures: 3, cooldownSeconds: 60 }, clock });
    await start(v);
    await start(v);
    expect(await codeOf(start(v))).toBe('invalid_destination');
    await start(v);
    await start(v);
    // Two in a row since the reset: still closed, so a is tried and answers.
    expect((await start(v)).id).toMatch(/^0:/);
    expect(a.starts).toHaveLength(6);
  });

  it('fails fast with retryAt when every provider is open', async () => {
    const clock = new FakeClock();
    const a = new ScriptedVerifier('a', [down()]);
    const b = new ScriptedVerifier('b', [throttled()]);
    const v = failover([a, b], { breaker: { failures: 1, cooldownSeconds: 30 }, clock });
    expect(await codeOf(start(v))).toBe('rate_limited');
    const err = await errorOf(start(v));
    expect(err.code).toBe('provider_unavailable');
    expect(err.retryAt).toBe(clock.now() + 30_000);
    expect(err.retryAfter).toBe(30);
    expect([a.starts.length, b.starts.length]).toEqual([1, 1]);
  });

  it('check and cancel reach the owner even while its breaker is open', async () => {
    const clock = new FakeClock();
    const a = new ScriptedVerifier('a', ['ok', down()]);
    const b = new ScriptedVerifier('b');
    const v = failover([a, b], { breaker: { failures: 1, cooldownSeconds: 60 }, clock });
    const started = await start(v);
    await start(v); // a fails once: open
    expect((await start(v)).id).toMatch(/^1:/);
    expect(await v.check({ id: started.id, code: '1' })).toBe('approved');
    expect(a.checks).toHaveLength(1);
  });

  it('rejects a bad breaker config', () => {
    const a = new ScriptedVerifier('a');
    expect(() => failover([a], { breaker: { failures: 0 } })).toThrow(TwoFactorError);
    expect(() => failover([], {})).toThrow(TwoFactorError);
  });
});

describe('failover: channels', () => {
  it('skips a provider without the channel and offers the union of channels', async () => {
    const a = new ScriptedVerifier('a', ['ok'], ['sms']);
    const b = new ScriptedVerifier('b', ['ok'], ['sms', 'whatsapp']);
    const v = failover([a, b]);
    expect([...v.channels].sort()).toEqual(['sms', 'whatsapp']);
    expect((await start(v, 'whatsapp')).id).toBe('1:b-1');
    expect(a.starts).toHaveLength(0);
    expect(await codeOf(start(v, 'call'))).toBe('channel_unsupported');
    expect(b.starts).toHaveLength(1);
  });
});

describe('failover: line type lookup', () => {
  it('is offered only when a provider has it, and fails over on retryable errors', async () => {
    const a = new ScriptedVerifier('a');
    const b = new ScriptedVerifier('b');
    a.lineType = down();
    b.lineType = 'voip';
    const v = failover([a, b]);
    expect(await v.lookupLineType!(NUMBER)).toBe('voip');
    a.lineType = invalid();
    expect(await codeOf(v.lookupLineType!(NUMBER))).toBe('invalid_destination');
    expect(b.lookups).toBe(1);

    const bare: Verifier = { name: 'bare', channels: ['sms'], start: a.start.bind(a), check: a.check.bind(a), cancel: a.cancel.bind(a) };
    expect(failover([bare]).lookupLineType).toBeUndefined();
  });
});

describe('failover: senders', () => {
  it('composes MessageSenders with the same rules', async () => {
    const a = new ScriptedSender('a', [down()]);
    const b = new ScriptedSender('b', [invalid(), 'ok']);
    const c = new ScriptedSender('c');
    const s = failover([a, b, c]);
    const msg = { to: NUMBER, body: 'Your code is 123456', channel: 'sms' as const };
    expect(await codeOf(s.send(msg))).toBe('invalid_destination');
    expect([a.sent, b.sent, c.sent]).toEqual([1, 1, 0]);
    expect(await s.send(msg)).toEqual({ id: '1:b-msg-2' });
    expect([a.sent, b.sent, c.sent]).toEqual([2, 2, 0]);
    expect(await codeOf(s.send({ ...msg, channel: 'call' }))).toBe('channel_unsupported');
  });

  it('refuses a mix of verifiers and senders', () => {
    const mixed = [new ScriptedVerifier('a'), new ScriptedSender('b')] as unknown as Verifier[];
    expect(() => failover(mixed)).toThrow(/not a mix/);
  });
});

describe('failover: no number in events or errors', () => {
  it('events and errors carry provider names and codes only', async () => {
    const events: FailoverEvent[] = [];
    const a = new ScriptedVerifier('a', [down()]);
    const b = new ScriptedVerifier('b', [refused()]);
    const v = failover([a, b], { onEvent: (e) => events.push(e), breaker: { failures: 1 } });
    const err = await errorOf(start(v));
    await start(v).catch(() => undefined);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['failover', 'breaker_open', 'skipped']),
    );
    const text = JSON.stringify(events) + err.message + String(err.stack);
    expect(text).not.toContain('5550123');
    expect(text).not.toContain('0123');
  });

  it('a throwing listener does not change the outcome', async () => {
    const a = new ScriptedVerifier('a', [down()]);
    const b = new ScriptedVerifier('b');
    const v = failover([a, b], {
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect((await start(v)).id).toBe('1:b-1');
  });
});

describe('failover inside a TwoFactor manager', () => {
  /** A sender that records bodies, failing its first `down` sends as unreachable. */
  const recorder = (name: string, down = 0) => {
    const bodies: string[] = [];
    let n = 0;
    const sender: MessageSender = {
      name,
      channels: ['sms'],
      async send(m) {
        if (n++ < down) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        bodies.push(m.body);
        return { id: `${name}-${n}` };
      },
    };
    return { sender, bodies, code: () => /\b(\d{6})\b/.exec(bodies.at(-1) ?? '')?.[1] ?? '' };
  };
  const manager = (verifier: Verifier) =>
    createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), clock: new FakeClock(), encryptionKeys: ['d'.repeat(64)], methods: [phone({ verifier }), recoveryCodes()] });

  it('localVerifier({ sender: failover([...]) }): one code, sent by the second sender when the first is down', async () => {
    const a = recorder('a', 1);
    const b = recorder('b');
    const twofa = manager(localVerifier({ sender: failover([a.sender, b.sender]) }));
    const e = await twofa.enroll('u1', 'phone', { phoneNumber: NUMBER });
    expect([a.bodies.length, b.bodies.length]).toEqual([0, 1]);
    expect(await twofa.confirmEnrollment('u1', e.id, b.code())).toMatchObject({ ok: true });
  });

  it('failover([localVerifier(a), localVerifier(b)]) gets the manager store through the failover, and checks at the one that sent', async () => {
    const a = recorder('a', 1);
    const b = recorder('b');
    const twofa = manager(failover([localVerifier({ sender: a.sender }), localVerifier({ sender: b.sender })]));
    const e = await twofa.enroll('u1', 'phone', { phoneNumber: NUMBER });
    expect(b.bodies).toHaveLength(1);
    expect(await twofa.confirmEnrollment('u1', e.id, b.code())).toMatchObject({ ok: true });
  });

  it('inside createTwoFactor the breaker follows the manager’s clock', async () => {
    const a = new ScriptedVerifier('a', [down(), 'ok']);
    const b = new ScriptedVerifier('b');
    const clock = new FakeClock();
    const twofa = createTwoFactor({
      issuer: 'Acme',
      store: new MemoryStore(),
      clock,
      encryptionKeys: ['d'.repeat(64)],
      methods: [phone({ verifier: failover([a, b], { breaker: { failures: 1, cooldownSeconds: 60 } }) }), recoveryCodes()],
    });
    await twofa.enroll('u1', 'phone', { phoneNumber: NUMBER }); // a fails, its breaker opens; b sends
    expect([a.starts.length, b.starts.length]).toEqual([1, 1]);
    clock.advanceSeconds(30);
    await twofa.enroll('u2', 'phone', { phoneNumber: '+14155550124' }); // a still skipped
    expect([a.starts.length, b.starts.length]).toEqual([1, 2]);
    clock.advanceSeconds(31); // past the cooldown on the manager's clock, though no real time passed
    await twofa.enroll('u3', 'phone', { phoneNumber: '+14155550125' });
    expect([a.starts.length, b.starts.length]).toEqual([2, 2]);
  });
});
