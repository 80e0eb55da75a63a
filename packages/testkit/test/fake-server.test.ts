import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '@twofa/testkit';

describe('startFakeServer', () => {
  let fake: FakeServer;
  beforeAll(async () => {
    fake = await startFakeServer();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('listens on loopback and records parsed form requests with route params', async () => {
    fake.reset();
    fake.route('POST', '/v2/Services/:sid/Verifications', (req) => ({ status: 201, body: { sid: 'VE1', to: req.form.To, svc: req.params.sid } }));
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${fake.url}/v2/Services/VA9/Verifications?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B15005550006&Channel=sms',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ sid: 'VE1', to: '+15005550006', svc: 'VA9' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.form).toEqual({ To: '+15005550006', Channel: 'sms' });
    expect(fake.requests[0]!.query.get('x')).toBe('1');
    expect(fake.requests[0]!.params).toEqual({ sid: 'VA9' });
  });

  it('parses JSON bodies and answers 404 on unknown routes', async () => {
    fake.reset();
    fake.route('POST', /^\/v2\/verify$/, { status: 202, body: { request_id: 'r1' } });
    const ok = await fetch(`${fake.url}/v2/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(ok.status).toBe(202);
    expect(fake.requests[0]!.json).toEqual({ a: 1 });
    const miss = await fetch(`${fake.url}/nope`);
    expect(miss.status).toBe(404);
  });

  it('one-shot answers come first, in order, then the standing route', async () => {
    fake.reset();
    fake.route('GET', '/x', { status: 200, body: 'standing' });
    fake.once('GET', '/x', { status: 429, headers: { 'retry-after': '7' }, body: 'slow' }, { status: 500, body: 'boom' });
    const a = await fetch(`${fake.url}/x`);
    const b = await fetch(`${fake.url}/x`);
    const c = await fetch(`${fake.url}/x`);
    expect([a.status, b.status, c.status]).toEqual([429, 500, 200]);
    expect(a.headers.get('retry-after')).toBe('7');
    expect(await c.text()).toBe('standing');
  });

  it('can delay, reset the connection, or never answer', async () => {
    fake.reset();
    fake.once('GET', '/slow', { status: 200, body: 'late', delayMs: 150 });
    const t0 = Date.now();
    expect(await (await fetch(`${fake.url}/slow`)).text()).toBe('late');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    fake.once('GET', '/reset', { reset: true });
    await expect(fetch(`${fake.url}/reset`)).rejects.toThrow();

    fake.once('GET', '/hang', { neverAnswer: true });
    const t1 = Date.now();
    await expect(fetch(`${fake.url}/hang`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(Date.now() - t1).toBeLessThan(2000);
    expect(fake.requests.map((r) => r.path)).toEqual(['/slow', '/reset', '/hang']);
  });

  it('can send the status line and headers, then stall half-way through the body', async () => {
    fake.reset();
    fake.once('GET', '/stall', { stallBody: true, status: 201, headers: { 'x-a': '1' }, body: { sid: 'VE1', status: 'pending' } });
    const ctl = new AbortController();
    const res = await fetch(`${fake.url}/stall`, { signal: ctl.signal });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-a')).toBe('1');
    const full = JSON.stringify({ sid: 'VE1', status: 'pending' });
    expect(Number(res.headers.get('content-length'))).toBe(full.length);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(full.slice(0, full.length / 2));
    let settled = false;
    const rest = reader.read().then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false); // the rest never comes
    ctl.abort();
    await rest;
  });

  it('close() returns even with a never-answered request open', async () => {
    const other = await startFakeServer();
    other.route('GET', '/hang', { neverAnswer: true });
    const pending = fetch(`${other.url}/hang`).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    while (other.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
