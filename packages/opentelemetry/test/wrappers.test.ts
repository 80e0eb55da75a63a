import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metrics, trace } from '@opentelemetry/api';
import { consoleSender, createTwoFactor, localVerifier, MemoryStore, phone, totp, type Channel, type MessageSender, type TwoFactor } from '@twofa/core';
import type { OutgoingMessage } from '@twofa/core/adapter';
import { fakeVerifier } from '@twofa/testkit';
import { hashUserId, instrumentSender, instrumentTwoFactor, instrumentVerifier, SCOPE, VERSION } from '@twofa/opentelemetry';
import { only, startOtel, type Otel } from './harness.js';
import { KEY, manager, withTotp } from './setup.js';

let otel: Otel;
beforeEach(() => {
  otel = startOtel();
});
afterEach(async () => {
  await otel.stop();
});

describe('instrumentVerifier and instrumentSender keep the provider as it was', () => {
  it("name, channels, a fake's own members; lookupLineType stays absent when the verifier has none", () => {
    const bare = fakeVerifier({ channels: ['sms'] });
    const v = instrumentVerifier(bare);
    expect([v.name, v.channels]).toEqual(['fake', ['sms']]);
    expect(v.sent).toBe(bare.sent);
    expect('lookupLineType' in v).toBe(false);
    expect(v.lookupLineType).toBeUndefined();
    expect('attach' in v).toBe(false);
    // phone() refuses lineTypes without a lookup, on the wrapper as on the verifier.
    expect(() => phone({ verifier: v, lineTypes: ['mobile'] })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect('lookupLineType' in instrumentVerifier(fakeVerifier({ lineType: 'mobile' }))).toBe(true);
  });

  it('attach reaches the wrapped localVerifier (it cannot work without it)', async () => {
    const outbox: OutgoingMessage[] = [];
    const v = instrumentVerifier(localVerifier({ sender: consoleSender({ write: () => {}, onMessage: (m) => outbox.push(m) }) }));
    expect(typeof v.attach).toBe('function');
    await expect(v.start({ to: '+12015550123', channel: 'sms' })).rejects.toMatchObject({ code: 'config_invalid' }); // not attached yet
    createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), encryptionKeys: [KEY], methods: [totp(), phone({ verifier: v })] });
    await v.start({ to: '+12015550123', channel: 'sms' });
    expect(outbox).toHaveLength(1);
  });

  it('a class with private fields and a frozen sender still work', async () => {
    class Counting implements MessageSender {
      readonly name = 'counting';
      readonly channels: readonly Channel[] = ['sms'];
      #sent = 0;
      async send(_message: OutgoingMessage): Promise<{ id: string }> {
        return { id: String(++this.#sent) };
      }
      count(): number {
        return this.#sent;
      }
    }
    const counting = instrumentSender(new Counting(), { tracer: otel.tracer, meter: otel.meter });
    await counting.send({ to: '+12015550123', body: 'x', channel: 'sms' });
    expect(counting.count()).toBe(1);
    expect(counting).toBeInstanceOf(Counting);

    const frozen = instrumentSender(Object.freeze(consoleSender({ write: () => {} })), { tracer: otel.tracer, meter: otel.meter });
    await frozen.send({ to: '+12015550123', body: 'x', channel: 'sms' });
    expect(otel.spans().map((s) => s.attributes['twofa.provider'])).toEqual(['counting', 'console']);
  });

  it('instrumenting twice returns the first wrapper, so nothing is counted twice', async () => {
    const v = instrumentVerifier(fakeVerifier());
    expect(instrumentVerifier(v)).toBe(v);
    const s = instrumentSender(consoleSender());
    expect(instrumentSender(s)).toBe(s);

    const c = manager(otel);
    expect(instrumentTwoFactor(c.twofa)).toBe(c.twofa);
    expect(instrumentTwoFactor(c.bare, { tracer: otel.tracer, meter: otel.meter })).toBe(c.twofa);
    const { secret } = await withTotp(c);
    await c.twofa.verify('u1', { method: 'totp', code: c.totpCode(secret) });
    expect(await otel.value('twofa.verifications', { 'twofa.method': 'totp', 'twofa.purpose': 'challenge', 'twofa.outcome': 'ok' })).toBe(1);
  });

  it('refuses what is not a manager, a provider or a tracer, with config_invalid', () => {
    const invalid = expect.objectContaining({ code: 'config_invalid' });
    expect(() => instrumentTwoFactor({} as TwoFactor)).toThrow(invalid);
    expect(() => instrumentVerifier(null as never)).toThrow(invalid);
    expect(() => instrumentSender({ name: 'x' } as never)).toThrow(invalid);
    expect(() => instrumentVerifier(fakeVerifier(), { tracer: {} as never })).toThrow(invalid);
    expect(() => instrumentSender(consoleSender(), { meter: 'meter' as never })).toThrow(invalid);
  });
});

describe('instrumentTwoFactor', () => {
  it('keeps the type and every other member of the manager', async () => {
    const c = manager(otel);
    const e = await c.twofa.enroll('u1', 'totp', { label: 'a@b.example' });
    const secret: string = e.secret; // typed per method, as on the bare manager
    expect(secret).toMatch(/^[A-Z2-7]+$/);
    expect(c.twofa.policy).toBe(c.bare.policy);
    expect(Object.keys(c.twofa).sort()).toEqual(Object.keys(c.bare).sort());
    expect({ ...c.twofa }.verify).toBe(c.twofa.verify); // a spread copy keeps the instrumented calls
    expect(c.twofa.availableMethods()).toEqual(c.bare.availableMethods());
    expect(await c.twofa.methods('u1')).toEqual(await c.bare.methods('u1'));
    const seen: string[] = [];
    const stop = c.twofa.on('authenticator.enrolled', (ev) => seen.push(ev.method));
    await c.twofa.confirmEnrollment('u1', e.id, c.totpCode(e.secret));
    stop();
    expect(seen).toEqual(['totp', 'recovery']);
  });

  it('uses the global tracer and meter by default, under the @twofa/opentelemetry scope', async () => {
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    try {
      const twofa = instrumentTwoFactor(createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), encryptionKeys: [KEY], methods: [totp()] }));
      await twofa.enroll('u1', 'totp');
      const span = only(otel.spans(), 'twofa.enroll');
      expect(span.instrumentationScope).toMatchObject({ name: SCOPE, version: VERSION });
      await expect(twofa.verify('u1', { method: 'totp', code: '123456' })).rejects.toMatchObject({ code: 'not_enrolled' });
      expect(await otel.value('twofa.verifications', { 'twofa.method': 'totp', 'twofa.purpose': 'challenge', 'twofa.outcome': 'not_enrolled' })).toBe(1);
    } finally {
      trace.disable();
      metrics.disable();
    }
  });

  it('VERSION is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect([SCOPE, VERSION]).toEqual([pkg.name, pkg.version]);
  });
});

describe('hashUserId', () => {
  const key = 'k'.repeat(16);
  it('is keyed, stable and short; the span attribute is this value', async () => {
    expect(hashUserId('alice', key)).toBe(hashUserId('alice', key));
    expect(hashUserId('alice', key)).toMatch(/^[\w-]{22}$/);
    expect(hashUserId('alice', key)).not.toBe(hashUserId('bob', key));
    expect(hashUserId('alice', key)).not.toBe(hashUserId('alice', 'j'.repeat(16)));
    const c = manager(otel, { hashUserIds: { key } });
    await c.twofa.enroll('alice', 'totp');
    expect(only(otel.spans(), 'twofa.enroll').attributes['twofa.user.hash']).toBe(hashUserId('alice', key));
  });

  it('refuses a key shorter than 16 bytes', () => {
    expect(() => hashUserId('alice', 'short')).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => manager(otel, { hashUserIds: { key: new Uint8Array(8) } })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
