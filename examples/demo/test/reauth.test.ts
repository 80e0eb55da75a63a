import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { FakeClock } from '@twofa/testkit';
import { loadConfig } from '../src/config.js';
import { startDemo, type RunningDemo } from '../src/start.js';
import { Client, errorAt } from './client.js';

// Hardening item 12: a stolen session cookie alone cannot add or replace a second factor.
// Once a method is active, enrolling, confirming or replacing one needs the password again
// or a second factor verified in this session in the last 5 minutes (docs/security.md).
let demo: RunningDemo;
const log: string[] = [];
const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
const email = 'stolen@example.com';
const password = 'the real password';
let secret = '';

beforeAll(async () => {
  demo = await startDemo({ config: loadConfig({ PORT: '0' }), clock, log: (l) => log.push(l), consoleWrite: () => {} });
});
afterAll(async () => {
  await demo?.close();
});

const totpCode = () => generate({ secret, epoch: Math.floor(clock.now() / 1000) });
const sent = () => demo.outbox!.entries.length;

describe('adding or replacing a method needs the password again or a fresh second factor', () => {
  const victim = new Client(() => demo.url);

  it('lets a new account set up its first method without asking again (nothing to protect yet)', async () => {
    await victim.get('/signup');
    expect((await victim.post('/signup', { email, password })).location).toBe('/security');
    expect(await victim.get('/security')).not.toContain('id="totp-password"');
    expect((await victim.post('/security/totp', {})).location).toBe('/security');
    secret = /id="totp-secret">([^<]+)</.exec(await victim.get('/security'))![1]!.replace(/\s/g, '');
    expect((await victim.post('/security/totp/confirm', { code: await totpCode() })).location).toBe('/security/recovery-codes');
  });

  it('refuses, with only the session cookie, to add a phone, replace the app or confirm a method; nothing is sent', async () => {
    const stolen = new Client(() => demo.url); // the attacker's copy of the victim's cookie
    stolen.cookie = victim.cookie;
    const page = await stolen.get('/security');
    expect(page).toContain('id="phone-password"'); // the forms ask for it
    const before = sent();
    const logged = log.length;

    expect(await stolen.post('/security/phone', { phoneNumber: '+1 201 555 0166', channel: 'sms' })).toEqual({ status: 303, location: '/security' });
    expect(errorAt(await stolen.get('/security'), 'phone-password')).toBe('Enter your password to confirm it is you.');
    expect(await stolen.post('/security/phone', { phoneNumber: '+1 201 555 0166', channel: 'sms', password: 'a guess at it' })).toEqual({ status: 303, location: '/security' });
    expect(errorAt(await stolen.get('/security'), 'phone-password')).toBe('That password is not right.');
    expect((await stolen.post('/security/totp', {})).location).toBe('/security');
    expect(await stolen.get('/security')).not.toContain('id="totp-secret"'); // no new key was made
    expect((await stolen.post('/security/phone/confirm', { code: '123456' })).location).toBe('/security');
    expect((await stolen.post('/security/totp/confirm', { code: await totpCode() })).location).toBe('/security');

    expect(sent()).toBe(before);
    expect(log.slice(logged).filter((l) => l.startsWith('code sent') || l.startsWith('enrolled'))).toEqual([]);
    const methods = await demo.twofa.methods(userIdOf(log));
    expect(methods.map((m) => `${m.method}:${m.status}`).sort()).toEqual(['recovery:active', 'totp:active']);
  });

  it('goes ahead after the password is entered again, for 5 minutes', async () => {
    const before = sent();
    expect((await victim.post('/security/phone', { phoneNumber: '+1 201 555 0166', channel: 'sms', password })).location).toBe('/security');
    expect(sent()).toBe(before + 1);
    const code = /\b(\d{6})\b/.exec(demo.outbox!.entries[0]!.body)![1]!;
    // Confirming within the 5 minutes needs no second password.
    expect((await victim.post('/security/phone/confirm', { code })).location).toBe('/security');
    expect(await victim.get('/security')).toContain('Phone turned on.');

    clock.advanceSeconds(5 * 60 + 1);
    expect((await victim.post('/security/totp', {})).location).toBe('/security');
    expect(errorAt(await victim.get('/security'), 'totp-password')).toBe('Enter your password to confirm it is you.');
  });

  it('goes ahead without the password just after a second factor was verified at login', async () => {
    const fresh = new Client(() => demo.url);
    await fresh.get('/login');
    expect((await fresh.post('/login', { email, password })).location).toBe('/challenge');
    clock.advance(30_000);
    expect((await fresh.post('/challenge/verify', { method: 'totp', code: await totpCode() })).location).toBe('/');
    expect(await fresh.get('/security')).not.toContain('id="totp-password"');
    expect((await fresh.post('/security/totp', {})).location).toBe('/security');
    expect(await fresh.get('/security')).toContain('id="totp-secret"');

    clock.advanceSeconds(5 * 60 + 1);
    expect((await fresh.post('/security/totp/confirm', { code: '000000' })).location).toBe('/security');
    expect(errorAt(await fresh.get('/security'), 'totp-confirm-password')).toBe('Enter your password to confirm it is you.');
  });

  it('adds a second phone, named, with the password; the first one stays', async () => {
    await victim.get('/security');
    expect((await victim.post('/security/phone', { phoneNumber: '+1 201 555 0177', channel: 'sms', name: 'Home', password })).location).toBe('/security');
    expect(await victim.get('/security')).toContain('We sent a code to <strong>+1 ••• ••• 0177</strong>');
    const code = /\b(\d{6})\b/.exec(demo.outbox!.entries[0]!.body)![1]!;
    expect((await victim.post('/security/phone/confirm', { code })).location).toBe('/security');
    const phones = (await demo.twofa.methods(userIdOf(log))).filter((m) => m.method === 'phone' && m.status === 'active');
    expect(phones.map((p) => [p.name, p.display.phone])).toEqual([[undefined, '+1 ••• ••• 0166'], ['Home', '+1 ••• ••• 0177']]);
    const page = await victim.get('/security');
    expect(page).toContain('<strong>Phone</strong> <span class="destination">+1 ••• ••• 0166</span>');
    expect(page).toContain('<strong>Home</strong> <span class="destination">+1 ••• ••• 0177</span>');
  });
});

/** The user id the app logged at sign-up (the test knows only the email). */
function userIdOf(lines: string[]): string {
  return /^signup user=(\S+)/.exec(lines.find((l) => l.startsWith('signup user='))!)![1]!;
}
