import { describe, expect, it } from 'vitest';
import { TwoFactorError } from '@twofa/core';
import {
  callProvider,
  isNetworkError,
  parseBaseUrls,
  parseChannels,
  parseOptions,
  parseRetryAfter,
  parseTimeoutMs,
  withTimeout,
} from '@twofa/core/adapter';

describe('provider call helpers', () => {
  it('parseRetryAfter reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(' 3 ')).toBe(3);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(30);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.UTC(2016, 0, 1))).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('withTimeout passes a prompt answer or failure through unchanged', async () => {
    expect(await withTimeout(Promise.resolve(42), 1000, 'p', 'start')).toBe(42);
    const boom = new Error('boom');
    await expect(withTimeout(Promise.reject(boom), 1000, 'p', 'start')).rejects.toBe(boom);
  });

  it('withTimeout turns a call that never settles into a retryable provider_unavailable', async () => {
    const err = await withTimeout(new Promise(() => {}), 20, 'acme-sms', 'send').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwoFactorError);
    expect((err as TwoFactorError).code).toBe('provider_unavailable');
    expect((err as TwoFactorError).retryable).toBe(true);
    expect((err as TwoFactorError).provider).toBe('acme-sms');
    expect((err as TwoFactorError).message).toContain('20 ms');
  });

  it("withTimeout(fn) starts its deadline before the call, so the SDK's own timer of the same length never wins", async () => {
    // A stand-in for an SDK whose own timer aborts a half-read answer with an error of its own.
    const sdk = () => new Promise((_, reject) => setTimeout(() => reject(new Error('Failed to decode response body')), 30));
    const late = await withTimeout(sdk, 30, 'p', 'start').catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'provider_unavailable', retryable: true });
    // Given an already started call, the SDK's timer comes first and its error goes through.
    const early = await withTimeout(sdk(), 30, 'p', 'start').catch((e: unknown) => e);
    expect(early).toMatchObject({ message: 'Failed to decode response body' });
  });

  it('isNetworkError recognises refused, reset and timed-out requests, also as a cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(isNetworkError(refused)).toBe(true);
    expect(isNetworkError(new TypeError('fetch failed', { cause: refused }))).toBe(true);
    expect(isNetworkError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(true);
    expect(isNetworkError(new Error('wrapped', { cause: new Error('inner', { cause: refused }) }))).toBe(true);
    expect(isNetworkError(new Error('Request failed with status 400'))).toBe(false);
    expect(isNetworkError('ECONNREFUSED')).toBe(false);
  });

  describe('callProvider', () => {
    const call = { provider: 'acme-sms', action: 'send', timeoutMs: 200 };
    const answer = (e: unknown) => ((e as { status?: unknown }).status === 400 ? { status: 400 } : undefined);

    it('passes a value through, and a failed call as the answer readAnswer found', async () => {
      expect(await callProvider(call, async () => 'id1', answer)).toEqual({ ok: true, value: 'id1' });
      const refused = Object.assign(new Error('Bad Request'), { status: 400 });
      expect(await callProvider(call, () => Promise.reject(refused), answer)).toEqual({ ok: false, failure: { status: 400 } });
    });

    it('a failure with no answer is provider_unavailable for a network error and provider_error for a bug, with no SDK text or cause', async () => {
      const reset = Object.assign(new Error('socket hang up +15551234567'), { code: 'ECONNRESET' });
      const net = await callProvider(call, () => Promise.reject(reset), answer).catch((e: unknown) => e);
      expect(net).toMatchObject({ code: 'provider_unavailable', retryable: true, provider: 'acme-sms' });
      const bug = await callProvider(call, () => Promise.reject(new TypeError("reading 'sid' of +15551234567")), answer).catch((e: unknown) => e);
      expect(bug).toMatchObject({ code: 'provider_error', retryable: false });
      for (const e of [net, bug] as TwoFactorError[]) {
        expect(e.message).not.toContain('15551234567');
        expect(e.cause).toBeUndefined();
      }
    });

    it('reading the answer runs inside the deadline: a body that never comes is provider_unavailable at timeoutMs', async () => {
      const t0 = Date.now();
      const stalled = await callProvider(call, () => Promise.reject(new Error('HTTP 500')), () => new Promise<never>(() => {})).catch((e: unknown) => e);
      expect(stalled).toMatchObject({ code: 'provider_unavailable', retryable: true });
      expect(Date.now() - t0).toBeLessThan(2000);
    });

    it("its deadline starts before the call, so the SDK's own timer of the same length never wins", async () => {
      const sdk = () => new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error('cut off'), { status: 400 })), call.timeoutMs));
      expect(await callProvider(call, sdk, answer).catch((e: unknown) => e)).toMatchObject({ code: 'provider_unavailable' });
    });
  });

  describe('option readers', () => {
    const invalid = (f: () => unknown) => {
      let e: unknown;
      try {
        f();
      } catch (x) {
        e = x;
      }
      expect(e).toMatchObject({ code: 'config_invalid' });
      expect((e as Error).message.startsWith('acmeSms: ')).toBe(true);
    };

    it('parseOptions takes a plain object only', () => {
      expect(parseOptions({ a: 1 }, 'acmeSms')).toEqual({ a: 1 });
      for (const bad of [undefined, null, 'x', 42, []]) invalid(() => parseOptions(bad as never, 'acmeSms'));
    });

    it('parseTimeoutMs: the default when absent, else a finite number above 0', () => {
      expect(parseTimeoutMs(undefined, 10_000, 'acmeSms')).toBe(10_000);
      expect(parseTimeoutMs(250, 10_000, 'acmeSms')).toBe(250);
      for (const bad of [0, -1, Number.NaN, Infinity, '250', null, true]) invalid(() => parseTimeoutMs(bad, 10_000, 'acmeSms'));
    });

    it('parseBaseUrls: URL → URL, trailing slashes dropped', () => {
      expect(parseBaseUrls(undefined, 'acmeSms')).toEqual({});
      expect(parseBaseUrls({ 'https://sms.acme.test/': 'http://127.0.0.1:4010/' }, 'acmeSms')).toEqual({ 'https://sms.acme.test': 'http://127.0.0.1:4010' });
      for (const bad of [null, 'http://127.0.0.1', [], { sms: 'http://127.0.0.1' }, { 'https://sms.acme.test': 'ftp://x' }, { 'https://sms.acme.test': 1 }]) {
        invalid(() => parseBaseUrls(bad, 'acmeSms'));
      }
    });

    it('parseChannels: the fallback when absent, else allowed channels without repeats', () => {
      const rule = { allowed: ['sms', 'whatsapp'] as const, fallback: ['sms'] as const };
      expect(parseChannels(undefined, rule, 'acmeSms')).toEqual(['sms']);
      expect(parseChannels(['whatsapp', 'sms', 'whatsapp'], rule, 'acmeSms')).toEqual(['whatsapp', 'sms']);
      expect(parseChannels([], { ...rule, allowEmpty: true }, 'acmeSms')).toEqual([]);
      for (const bad of ['sms', null, [], ['call'], [1]]) invalid(() => parseChannels(bad, rule, 'acmeSms'));
    });
  });
});
