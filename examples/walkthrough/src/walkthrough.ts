/**
 * A terminal walk-through of twofa on the embedded default: MemoryStore and the console
 * sender. Enroll an authenticator app, confirm it, get recovery codes, enroll a phone,
 * pass an SMS challenge, then watch the lockout after five wrong codes.
 */
import { randomBytes } from 'node:crypto';
import { generateSync } from 'otplib';
import QRCode from 'qrcode';
import { consoleSender, createTwoFactor, localVerifier, MemoryStore, phone, recoveryCodes, totp } from '@twofa/core';

const say = (s = '') => console.log(s);
const step = (n: number, s: string) => say(`\n\x1b[1m${n}. ${s}\x1b[0m`);

let lastCode = '';
const sender = consoleSender({ onMessage: (m) => (lastCode = /\b(\d{6})\b/.exec(m.body)?.[1] ?? '') });

const twofa = createTwoFactor({
  issuer: 'Acme',
  store: new MemoryStore(),
  encryptionKeys: [process.env.TWOFA_KEY ?? randomBytes(32).toString('hex')],
  methods: [
    totp(),
    phone({ verifier: localVerifier({ sender }), channels: ['sms', 'call'], numbers: { defaultRegion: 'US' } }),
    recoveryCodes(),
  ],
});
twofa.on('user.locked', (e) => say(`   event user.locked until ${new Date(e.until).toISOString()}`));

const user = 'alice';

step(1, 'Enroll an authenticator app');
const enrollment = await twofa.enroll(user, 'totp', { label: 'alice@example.com' });
say(`   otpauth URI: ${enrollment.uri}`);
say(await QRCode.toString(enrollment.uri, { type: 'terminal', small: true }));

step(2, 'Confirm it with the code the app shows (computed here with otplib)');
const code = generateSync({ secret: enrollment.secret });
const confirmed = await twofa.confirmEnrollment(user, enrollment.id, code);
if (!confirmed.ok) throw new Error(`confirmation failed: ${confirmed.error}`);
say(`   confirmed with ${code}`);

step(3, 'Recovery codes, shown once');
for (const c of confirmed.recoveryCodes ?? []) say(`   ${c}`);

step(4, 'Enroll a phone: the console sender prints the code instead of texting it');
const phoneEnrollment = await twofa.enroll(user, 'phone', { phoneNumber: '(415) 555-0123', name: 'Work phone' });
say(`   code sent to ${phoneEnrollment.destination}`);
const phoneConfirmed = await twofa.confirmEnrollment(user, phoneEnrollment.id, lastCode);
say(`   phone confirmed: ${phoneConfirmed.ok}`);

step(5, 'Log in: open an SMS challenge and verify the code');
const ch = await twofa.challenge(user, { method: 'phone', channel: 'sms' });
const ok = await twofa.verify(user, { challengeId: ch.id, code: lastCode });
say(`   verify → ${JSON.stringify(ok)}`);

step(6, 'The authenticators the user has');
for (const m of await twofa.methods(user)) say(`   ${m.method.padEnd(9)} ${m.status} ${m.name ?? ''}${m.remaining !== undefined ? ` (${m.remaining} codes left)` : ''} ${Object.values(m.display).join(' ')}`);

step(7, 'Five wrong codes lock the user out');
const login = await twofa.challenge(user, { method: 'totp' });
for (let i = 1; i <= 6; i++) {
  const r = await twofa.verify(user, { challengeId: login.id, code: '000000' });
  const when = !r.ok && r.retryAt ? `, retry at ${new Date(r.retryAt).toISOString()}` : '';
  say(`   attempt ${i}: ${r.ok ? 'ok' : `${r.error}, ${r.attemptsLeft} left${when}`}`);
}
say('\nDone. `pnpm test` runs the test suite.');
