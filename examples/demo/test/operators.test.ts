import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { AuditRecord } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { loadConfig } from '../src/config.js';
import { startDemo, type RunningDemo } from '../src/start.js';
import { Client, errorAt, flashOf } from './client.js';
import { audit, leaks } from './harness.js';

// What operators asked for, over plain HTTP: step-up before sensitive actions, required 2FA
// with a grace period, and support's reset with its audit line.
let demo: RunningDemo;
const log: string[] = [];
const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
const password = 'a long enough password';
const seen: string[] = [];

beforeAll(async () => {
  const env = { PORT: '0', TWOFA_REQUIRED_EMAILS: 'Must@Example.com, other@example.com', TWOFA_GRACE_DAYS: '7', TWOFA_ADMIN_EMAILS: 'admin@example.com' };
  demo = await startDemo({ config: loadConfig(env), clock, log: (l) => log.push(l), consoleWrite: () => {} });
});
afterAll(async () => {
  await demo?.close();
});

const client = () => new Client(() => demo.url);
const newestCode = () => /\b(\d{6})\b/.exec(demo.outbox!.entries[0]!.body)![1]!;
/** The date `days` from now on the test's clock, as the pages write it. */
const dayIn = (days: number) => new Date(clock.now() + days * 86_400_000).toISOString().slice(0, 10);
const codeFor = (secret: string) => generate({ secret, epoch: Math.floor(clock.now() / 1000) });
/** The id of the action the step-up page shows (its form sends it back with the code). */
const actionOn = (page: string) => /name="action" value="([^"]+)"/.exec(page)![1]!;
/** Account ids by email (the app logs the id at sign-up, never the email). */
const ids = new Map<string, string>();

/** Signs up (a new client), returning it and the account's id. */
async function signUp(email: string): Promise<{ c: Client; id: string }> {
  const c = client();
  await c.get('/signup');
  expect((await c.post('/signup', { email, password })).location).toBe('/security');
  const id = /^signup user=(\S+)/.exec(log.filter((l) => l.startsWith('signup user=')).at(-1)!)![1]!;
  ids.set(email, id);
  return { c, id };
}
/** Turns on an authenticator app through the forms; returns its key. */
async function enrollApp(c: Client, form: Record<string, string> = {}): Promise<string> {
  expect((await c.post('/security/totp', form)).location).toBe('/security');
  const secret = /id="totp-secret">([^<]+)</.exec(await c.get('/security'))![1]!.replace(/\s/g, '');
  seen.push(secret);
  expect((await c.post('/security/totp/confirm', { code: await codeFor(secret) })).location).toBe('/security/recovery-codes');
  await c.get('/security/recovery-codes');
  return secret;
}
/** Password, then the app's code at the challenge: a signed-in client whose second factor is fresh. */
async function logIn(email: string, secret?: string): Promise<Client> {
  const c = client();
  await c.get('/login');
  const to = (await c.post('/login', { email, password })).location;
  if (secret) {
    expect(to).toBe('/challenge');
    clock.advance(30_000);
    expect((await c.post('/challenge/verify', { method: 'totp', code: await codeFor(secret) })).location).toBe('/');
  }
  return c;
}

describe('step-up: removing, new recovery codes and a new password need a second factor from the last 5 minutes', () => {
  const email = 'steps@example.com';
  let me: Client;
  let secret = '';
  let phoneId = '';
  let userId = '';

  beforeAll(async () => {
    ({ c: me, id: userId } = await signUp(email));
    secret = await enrollApp(me);
    expect((await me.post('/security/phone', { phoneNumber: '+1 201 555 0188', channel: 'sms', name: 'Mobile', password })).location).toBe('/security');
    expect((await me.post('/security/phone/confirm', { code: newestCode() })).location).toBe('/security');
    phoneId = (await demo.twofa.methods(userId)).find((a) => a.method === 'phone')!.id;
  });

  it('goes ahead at once just after the login\'s code (its proof is in the session)', async () => {
    me = await logIn(email, secret);
    expect((await me.post('/security/recovery/regenerate', {})).location).toBe('/security/recovery-codes');
    expect(await me.get('/security/recovery-codes')).toContain('New recovery codes made.');
  });

  it('asks for a code after 5 minutes, keeps the action waiting through a wrong code, then does it', async () => {
    clock.advanceSeconds(5 * 60 + 1);
    expect((await me.post('/security/recovery/regenerate', {})).location).toBe('/step-up');
    const page = await me.get('/step-up');
    expect(page).toContain('To <strong>make new recovery codes</strong>, enter a code');
    expect(page).not.toContain('name="remember"'); // only the login offers that
    const before = (await demo.twofa.methods(userId)).find((a) => a.isBackup)!.remaining;
    const action = actionOn(page);
    const wrong = await me.post('/step-up/verify', { method: 'totp', code: '000000', action });
    expect(wrong.location).toMatch(/^\/step-up\?a=/);
    const again = await me.get(wrong.location!);
    expect(errorAt(again, 'code')).toBe('That code is not right. 4 attempts left.');
    expect(actionOn(again)).toBe(action);
    expect((await demo.twofa.methods(userId)).find((a) => a.isBackup)!.remaining).toBe(before);
    clock.advance(30_000);
    expect((await me.post('/step-up/verify', { method: 'totp', code: await codeFor(secret), action })).location).toBe('/security/recovery-codes');
    expect(await me.get('/security/recovery-codes')).toContain('id="recovery-code-list"');
    expect((await me.post('/security/recovery/regenerate', {})).location).toBe('/security/recovery-codes'); // fresh again, for 5 minutes
  });

  it('a stolen cookie removes nothing and changes no password without a code, nor with the code the user gave for something else', async () => {
    clock.advanceSeconds(5 * 60 + 1);
    const stolen = client();
    stolen.cookie = me.cookie;
    await stolen.get('/security');
    expect((await stolen.post('/security/remove', { id: phoneId })).location).toBe('/step-up');
    expect((await demo.twofa.methods(userId)).some((a) => a.id === phoneId)).toBe(true);
    // The user starts an action of their own and sees it on the step-up page...
    expect((await me.post('/security/recovery/regenerate', {})).location).toBe('/step-up');
    const shown = await me.get('/step-up');
    expect(shown).toContain('To <strong>make new recovery codes</strong>');
    // ...the attacker puts a new password in its place before the user enters the code...
    expect((await stolen.post('/security/password', { password: 'the attacker password' })).location).toBe('/step-up');
    expect(await stolen.get('/step-up')).toContain('To <strong>change your password</strong>');
    clock.advance(30_000);
    expect((await me.post('/step-up/verify', { method: 'totp', code: await codeFor(secret), action: actionOn(shown) })).location).toBe('/security');
    expect(flashOf(await me.get('/security'))).toBe('Nothing was changed: what was waiting for your code changed meanwhile. Start again.');
    // ...and gets neither the password nor a fresh proof in the shared session.
    expect((await stolen.post('/security/password', { password: 'the attacker password' })).location).toBe('/step-up');
    const c = client();
    await c.get('/login');
    expect((await c.post('/login', { email, password: 'the attacker password' })).status).toBe(401);
    expect(log).toContain(`step-up refused (the waiting action changed) user=${userId}`);
  });

  it('changes the password after a code sent to the phone, and signs the other sessions out', async () => {
    const other = await logIn(email, secret); // a second browser, signed in
    clock.advanceSeconds(5 * 60 + 1);
    expect((await me.post('/security/password', { password: 'short' })).location).toBe('/security/password');
    expect(errorAt(await me.get('/security/password'), 'new-password')).toBe('Choose a password of at least 10 characters.');
    expect((await me.post('/security/password', { password: 'a brand new password' })).location).toBe('/step-up');
    expect(await me.get(`/step-up?a=${phoneId}`)).toContain('We will send a code to <strong>+1 ••• ••• 0188</strong>');
    expect((await me.post('/step-up/send', { authenticatorId: phoneId, channel: 'sms' })).location).toBe(`/step-up?a=${phoneId}`);
    const page = await me.get(`/step-up?a=${phoneId}`);
    expect(page).toContain('We sent a code to <strong>+1 ••• ••• 0188</strong> by text message.');
    seen.push(newestCode(), '2015550188');
    const done = await me.post('/step-up/verify', { authenticatorId: phoneId, code: newestCode(), action: actionOn(page) });
    expect(done.location).toBe('/security');
    expect(flashOf(await me.get('/security'))).toBe('Password changed. Any other browser signed in to this account was signed out.');
    expect((await other.open('/security')).location).toBe('/login');
    const c = client();
    await c.get('/login');
    expect((await c.post('/login', { email, password })).status).toBe(401);
    expect((await c.post('/login', { email, password: 'a brand new password' })).location).toBe('/challenge');
  });

  it('removes the phone at once now (the phone\'s code is fresh); that proof then counts no more', async () => {
    expect((await me.post('/security/remove', { id: phoneId })).location).toBe('/security');
    expect(flashOf(await me.get('/security'))).toBe('Mobile (+1 ••• ••• 0188) removed. Remembered devices must pass two-step sign-in again.');
    // The session's proof is of the phone just removed: twofa.isFresh says no, so the next action asks again.
    expect((await me.post('/security/recovery/regenerate', {})).location).toBe('/step-up');
  });

  it('without 2FA, the password page asks for the current password instead', async () => {
    const { c } = await signUp('nofactor@example.com');
    const page = await c.get('/security/password');
    expect(page).toContain('id="current-password"');
    expect((await c.post('/security/password', { password: 'another long password', current: 'not it at all' })).location).toBe('/security/password');
    expect(errorAt(await c.get('/security/password'), 'current-password')).toBe('That password is not right.');
    expect((await c.post('/security/password', { password: 'another long password', current: password })).location).toBe('/security');
    expect(flashOf(await c.get('/security'))).toMatch(/^Password changed\./);
  });
});

describe('required 2FA with a grace period (TWOFA_REQUIRED_EMAILS, TWOFA_GRACE_DAYS=7, or an admin)', () => {
  let must: Client;
  let mustId = '';

  it('reads its settings: 14 days unless TWOFA_GRACE_DAYS says otherwise, lists in any case', () => {
    expect(loadConfig({}).graceDays).toBe(14);
    expect(() => loadConfig({ TWOFA_GRACE_DAYS: 'two weeks' })).toThrow(/TWOFA_GRACE_DAYS/);
    expect(loadConfig({ TWOFA_REQUIRED_EMAILS: ' A@x.com ,b@x.com,' }).requiredEmails).toEqual(['a@x.com', 'b@x.com']);
    expect(loadConfig({ NODE_ENV: 'production', TWOFA_SMS: 'twilio-verify', TWOFA_ENCRYPTION_KEYS: 'a'.repeat(64) }).email).toBe('off');
  });

  it('an account in its grace period sees until when on every page, and may go anywhere', async () => {
    ({ c: must, id: mustId } = await signUp('must@example.com'));
    for (const path of ['/', '/security', '/security/password']) {
      const page = await must.open(path);
      expect(page.status, path).toBe(200);
      expect(page.body, path).toContain('<p class="banner" id="requirement">Your account must use two-step sign-in: set it up by <strong>2026-01-08</strong>.');
    }
    expect(audit(log).filter((r) => r.userId === mustId).map((r) => r.event)).toEqual(['requirement.grace_started']);
  });

  it('once the grace period is over, login leads straight to enrollment, and every other page back to it', async () => {
    clock.advanceSeconds(7 * 86_400 + 60);
    const c = client();
    await c.get('/login');
    expect((await c.post('/login', { email: 'must@example.com', password })).location).toBe('/security');
    const page = await c.get('/security');
    expect(page).toContain('Your account must use two-step sign-in since <strong>2026-01-08</strong>.');
    expect(page).not.toContain('href="/security/password"');
    for (const path of ['/', '/security/password', '/admin', '/step-up']) expect((await c.open(path)).location, path).toBe('/security');
    expect((await c.post('/security/recovery/regenerate', {})).location).toBe('/security');
    expect(audit(log).filter((r) => r.userId === mustId).map((r) => r.event)).toEqual(['requirement.grace_started', 'requirement.overdue']);
    // Every way to set up 2FA is open to it, a security key too (cancelled here).
    expect(flashOf(await c.get('/security'))).toBe('Set up two-step sign-in first: your account must use it.');
    expect((await c.post('/security/webauthn', {})).location).toBe('/security');
    expect(flashOf(await c.get('/security'))).toBeUndefined();
    expect((await demo.twofa.methods(mustId)).map((a) => `${a.method}:${a.status}`)).toEqual(['webauthn:pending']);
    expect((await c.post('/security/cancel', { method: 'webauthn' })).location).toBe('/security');
    must = c;
    seen.push(await enrollApp(must));
    const home = await must.open('/');
    expect(home.status).toBe(200);
    expect(home.body).not.toContain('id="requirement"');
  });

  it('an account that must use 2FA cannot remove its last way to sign in', async () => {
    const app = (await demo.twofa.methods(mustId)).find((a) => a.method === 'totp')!;
    expect((await must.post('/security/remove', { id: app.id })).location).toBe('/security');
    expect(flashOf(await must.get('/security'))).toBe('Your account must use two-step sign-in: add another way to sign in before removing this one.');
    expect((await demo.twofa.methods(mustId)).some((a) => a.id === app.id)).toBe(true);
  });

  it('/admin is for TWOFA_ADMIN_EMAILS only: anyone else gets the 404 page', async () => {
    expect((await must.open('/admin')).status).toBe(404);
    expect((await must.post('/admin/require', { id: mustId, required: '0' })).status).toBe(404);
    expect((await must.post('/admin/reset', { id: mustId, reason: 'x' })).status).toBe(404);
    expect(await must.get('/')).not.toContain('href="/admin"');
  });

  it('an admin requires 2FA of an account: its grace period starts then, and shows at its next page', async () => {
    const { c: admin } = await signUp('admin@example.com');
    expect(await admin.get('/')).toContain('<a href="/admin">Admin</a>');
    const { c: user, id } = await signUp('toggle@example.com');
    expect(await user.get('/')).not.toContain('id="requirement"');
    await admin.get('/admin');
    expect((await admin.post('/admin/require', { id, required: '1' })).location).toBe('/admin');
    expect(flashOf(await admin.get('/admin'))).toBe(`toggle@example.com must set up two-step sign-in by ${dayIn(7)}.`);
    expect(await user.get('/')).toContain(`set it up by <strong>${dayIn(7)}</strong>`);
    expect((await admin.post('/admin/require', { id: mustId, required: '0' })).location).toBe('/admin');
    expect(flashOf(await admin.get('/admin'))).toBe('must@example.com is listed in TWOFA_REQUIRED_EMAILS: change it there.');
    expect((await admin.post('/admin/require', { id, required: '0' })).location).toBe('/admin');
    expect(await user.get('/')).not.toContain('id="requirement"');
  });
});

describe('admin reset: "Reset two-step sign-in" with a reason, after the admin\'s own fresh code', () => {
  it('needs 2FA on the admin\'s own account, a reason, and a fresh code; then removes everything and logs who and why', async () => {
    const mustId = ids.get('must@example.com')!;
    const victimSession = await logIn('must@example.com'); // password step only: the challenge is due
    const admin = client();
    await admin.get('/login');
    expect((await admin.post('/login', { email: 'admin@example.com', password })).location).toBe('/');
    await admin.get('/admin');
    expect((await admin.post('/admin/reset', { id: mustId, reason: 'Lost phone; identity checked by video call' })).location).toBe('/admin');
    expect(flashOf(await admin.get('/admin'))).toBe('Turn on two-step sign-in for your own account first: this needs a code from it.');

    const secret = await enrollApp(admin);
    await admin.get('/admin');
    expect((await admin.post('/admin/reset', { id: mustId, reason: '   ' })).location).toBe('/admin');
    expect(errorAt(await admin.get('/admin'), `reason-${mustId}`)).toBe('Say why, in up to 500 characters (it goes to the audit log).');
    expect((await admin.post('/admin/reset', { id: mustId, reason: 'Lost phone; identity checked by video call' })).location).toBe('/step-up');
    const page = await admin.get('/step-up');
    expect(page).toContain('To <strong>reset two-step sign-in for must@example.com</strong>');
    expect((await demo.twofa.methods(mustId)).length).toBeGreaterThan(0); // nothing happened yet
    clock.advance(30_000);
    expect((await admin.post('/step-up/verify', { method: 'totp', code: await codeFor(secret), action: actionOn(page) })).location).toBe('/admin');
    expect(flashOf(await admin.get('/admin'))).toMatch(/^Two-step sign-in of must@example\.com was reset/);

    expect(await demo.twofa.methods(mustId)).toEqual([]);
    expect((await victimSession.open('/challenge')).location).toBe('/login'); // its half-done login ended too
    const reset = audit(log).filter((r) => r.event === 'admin.reset');
    expect(reset).toEqual([
      { v: 1, event: 'admin.reset', at: expect.any(String), userId: mustId, actor: 'admin@example.com', outcome: 'info', detail: 'Lost phone; identity checked by video call' } satisfies AuditRecord,
    ]);
    // The account signs in with its password again; being listed, it is required once more (a new grace period, as core's reset purges the old one).
    const back = client();
    await back.get('/login');
    expect((await back.post('/login', { email: 'must@example.com', password })).location).toBe('/');
    expect(await back.get('/')).toContain('id="requirement"');
  });

  it('wrote no code, secret or number to the app log', () => {
    expect(leaks(log, seen)).toEqual([]);
    expect(audit(log).length).toBeGreaterThan(10);
  });
});

