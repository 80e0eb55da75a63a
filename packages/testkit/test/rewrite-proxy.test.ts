import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, startRewriteProxy, type FakeServer, type RewriteProxy } from '@twofa/testkit';

describe('startRewriteProxy', () => {
  let upstream: FakeServer;
  let proxy: RewriteProxy;

  beforeAll(async () => {
    upstream = await startFakeServer();
    upstream.route('POST', '/inner', (req) => ({ status: 201, headers: { 'x-seen': req.headers['x-added'] as string }, body: { got: req.json } }));
    proxy = await startRewriteProxy({
      target: upstream.url,
      rewrite: (r) => ({
        ...r,
        path: r.path.replace(/^\/outer/, ''),
        headers: { ...r.headers, 'x-added': 'yes' },
        body: JSON.stringify({ ...(JSON.parse(r.body) as object), added: true }),
      }),
    });
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('rewrites path, headers and body on the way in and passes the answer back unchanged', async () => {
    const res = await fetch(`${proxy.url}/outer/inner`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'café 🔐' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(await res.json()).toEqual({ got: { text: 'café 🔐', added: true } });
    expect(upstream.requests.at(-1)!.path).toBe('/inner');
    expect(proxy.received.at(-1)!.path).toBe('/outer/inner');
  });

  it('answers 502 when the upstream is gone, instead of hanging', async () => {
    const gone = await startFakeServer();
    const p = await startRewriteProxy({ target: gone.url });
    await gone.close();
    const res = await fetch(`${p.url}/x`);
    expect(res.status).toBe(502);
    await p.close();
  });
});
