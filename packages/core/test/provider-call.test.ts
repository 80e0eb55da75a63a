import { describe, expect, it } from 'vitest';
import { TwoFactorError } from '@twofa/core';
import { isNetworkError, parseRetryAfter, withTimeout } from '@twofa/core/adapter';

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
});
