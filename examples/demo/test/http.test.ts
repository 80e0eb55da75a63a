import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { FakeClock } from '@twofa/testkit';
import { loadConfig } from '../src/config.js';
import { startDemo, type RunningDemo } from '../src/start.js';

// Plain HTTP checks of what a browser test would not notice: headers, CSRF, access control.
let demo: RunningDemo;
const log: string[] = [];
const clock = new FakeClock();

beforeAll(async () => {
  demo = await startDemo({ config: loadConfig({ PORT: '0' }), clock, log: (l) => log.push(l), consoleWrite: () => {} });
});
afterAll(async () => {
  await demo?.close();
});

/** A cookie jar of one: the session cookie and the CSRF token of the login page. */
async function session(): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${demo.url}/login`);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
  return { cookie, csrf };
}

const post = (path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${demo.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });

describe('demo over plain HTTP', () => {
  it('sends security headers and an HttpOnly SameSite session cookie', async () => {
    const res = await fetch(`${demo.url}/login`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.getSetCookie()[0]).toMatch(/^sid=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('serves its script, stylesheet and favicon itself; the CSP runs scripts from the app only, none inline', async () => {
    const res = await fetch(`${demo.url}/login`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const body = await res.text();
    expect(body).toContain('<script src="/app.js" defer></script>');
    expect(body).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    expect([...body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(['<script src="/app.js" defer>']);
    const assets = { '/app.js': 'text/javascript', '/app.css': 'text/css', '/favicon.svg': 'image/svg+xml', '/favicon.ico': 'image/svg+xml' };
    for (const [path, type] of Object.entries(assets)) {
      const r = await fetch(`${demo.url}${path}`);
      expect([path, r.status, r.headers.get('content-type')?.split(';')[0]]).toEqual([path, 200, type]);
    }
  });

  it('refuses a form without the CSRF token, with a wrong one, or from another origin', async () => {
    const { cookie, csrf } = await session();
    const form = { email: 'x@example.com', password: 'long enough password' };
    expect((await post('/signup', cookie, form)).status).toBe(403);
    expect((await post('/signup', cookie, { ...form, _csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).status).toBe(403);
    expect((await post('/signup', cookie, { ...form, _csrf: csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    const ok = await post('/signup', cookie, { ...form, _csrf: csrf }, { origin: demo.url });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/security');
  });

  it('issues a new session id at sign-in (no session fixation)', async () => {
    const { cookie, csrf } = await session();
    const res = await post('/signup', cookie, { email: 'fix@example.com', password: 'long enough password', _csrf: csrf });
    const after = res.headers.getSetCookie().at(-1)!.split(';')[0]!;
    expect(after).toMatch(/^sid=/);
    expect(after).not.toBe(cookie);
    // The old id is dead: it gets a fresh anonymous session, not the account.
    const old = await fetch(`${demo.url}/security`, { headers: { cookie }, redirect: 'manual' });
    expect(old.headers.get('location')).toBe('/login');
    const now = await fetch(`${demo.url}/security`, { headers: { cookie: after }, redirect: 'manual' });
    expect(now.status).toBe(200);
  });

  it('keeps the settings and the challenge behind their login steps', async () => {
    expect((await fetch(`${demo.url}/security`, { redirect: 'manual' })).headers.get('location')).toBe('/login');
    expect((await fetch(`${demo.url}/challenge`, { redirect: 'manual' })).headers.get('location')).toBe('/login');
  });

  it('answers a wrong password without saying whether the account exists', async () => {
    const { cookie, csrf } = await session();
    const a = await post('/login', cookie, { email: 'fix@example.com', password: 'not the password', _csrf: csrf });
    const b = await post('/login', cookie, { email: 'nobody@example.com', password: 'not the password', _csrf: csrf });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    const text = (t: string) => /class="field-error"[^>]*>([^<]+)/.exec(t)?.[1];
    expect(text(await a.text())).toBe(text(await b.text()));
  });

  it('pauses password logins for an account after 10 failures, for 15 minutes', async () => {
    const { cookie, csrf } = await session();
    const email = 'throttle@example.com';
    const password = 'long enough password';
    expect((await post('/signup', cookie, { email, password, _csrf: csrf })).status).toBe(303);
    const s2 = await session();
    for (let i = 0; i < 10; i++) expect((await post('/login', s2.cookie, { email, password: 'wrong guess!', _csrf: s2.csrf })).status).toBe(401);
    const refused = await post('/login', s2.cookie, { email, password, _csrf: s2.csrf });
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('Too many failed logins for this account. Try again in 15 minutes.');
    clock.advanceSeconds(15 * 60);
    expect((await post('/login', s2.cookie, { email, password, _csrf: s2.csrf })).status).toBe(303);
  });

  it('escapes what users typed', async () => {
    const { cookie, csrf } = await session();
    const res = await post('/signup', cookie, { email: '<script>x</script>', password: 'short', _csrf: csrf });
    const body = await res.text();
    expect(res.status).toBe(400);
    expect(body).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(body).not.toContain('<script>x');
  });

  it('has the dev outbox in development, and not in production', async () => {
    expect((await fetch(`${demo.url}/dev/outbox`)).status).toBe(200);
    expect(() => loadConfig({ NODE_ENV: 'production', TWOFA_ENCRYPTION_KEYS: 'a'.repeat(64) })).toThrow(/console sender is for development only/);
    expect(() => loadConfig({ TWOFA_STORE: 'redis' })).toThrow(/TWOFA_ENCRYPTION_KEYS/);
    expect(loadConfig({ NODE_ENV: 'production', TWOFA_SMS: 'twilio-verify', TWOFA_ENCRYPTION_KEYS: 'a'.repeat(64) }).secureCookies).toBe(true);
  });
});

describe('demo configuration for real providers', () => {
  it('names the missing variables (and prints no values) when a provider is half configured', async () => {
    const config = loadConfig({ PORT: '0', TWOFA_SMS: 'twilio-verify', TWILIO_AUTH_TOKEN: 'secret-token-value' });
    const err = await startDemo({ config, log: () => {} }).catch((e: Error) => e);
    expect((err as Error).message).toBe('TWOFA_SMS=twilio-verify needs TWILIO_ACCOUNT_SID, TWILIO_VERIFY_SERVICE_SID (see .env.example).');
  });

  it('runs on Twilio Messages with only the channels it can deliver, and without the dev outbox (no email either)', async () => {
    const config = loadConfig({
      PORT: '0', TWOFA_SMS: 'twilio-messages', PHONE_CHANNELS: 'sms,call', TWOFA_EMAIL: 'off',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+15005550006',
    });
    const d = await startDemo({ config, log: () => {} });
    try {
      expect(d.notes).toContain('sms: twilio-messages');
      expect(d.channels).toEqual(['sms']);
      expect(d.outboxUrl).toBeUndefined();
      expect((await fetch(`${d.url}/dev/outbox`)).status).toBe(404);
      expect(d.twofa.availableMethods().find((m) => m.method === 'email')?.available).toBe(false);
    } finally {
      await d.close();
    }
  });

  it('mails codes through SMTP_HOST with TWOFA_EMAIL=smtp, the code in the text and not in the subject', async () => {
    const smtp = loadConfig({ PORT: '0', TWOFA_EMAIL: 'smtp', SMTP_PASSWORD: 'secret-password' });
    expect((await startDemo({ config: smtp, log: () => {} }).catch((e: Error) => e) as Error).message).toBe('TWOFA_EMAIL=smtp needs SMTP_HOST, SMTP_FROM (see .env.example).');
    const mails: { to: string[]; raw: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => (mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() }), done()));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    const config = loadConfig({ PORT: '0', TWOFA_EMAIL: 'smtp', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_FROM: 'no-reply@acme.example' });
    const d = await startDemo({ config, log: () => {}, consoleWrite: () => {} });
    try {
      expect(d.notes).toContain('email: smtp (127.0.0.1)');
      const e = await d.twofa.enroll('smtp-user', 'email', { address: 'ada@example.com' });
      expect(e.destination).toBe('a•••@example.com');
      expect(mails.map((m) => m.to)).toEqual([['ada@example.com']]);
      const raw = mails[0]!.raw;
      expect(raw).toMatch(/^Subject: Your Acme verification code\r?$/m);
      expect(raw).toMatch(/^From: no-reply@acme\.example\r?$/m);
      expect(raw).toMatch(/Your Acme verification code is:\s+\d{6}/);
      expect(d.outbox?.entries ?? []).toEqual([]); // no console copy of an email sent for real
    } finally {
      await d.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
