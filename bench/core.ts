/**
 * Core figures: TOTP verify through twofa.verify on MemoryStore against bare otplib
 * verifySync on the same codes, and recovery-code verify. Each figure is measured in
 * this run, so the ratio compares like with like on this machine.
 */
import { generateSync, verifySync } from 'otplib';
import { createTwoFactor, MemoryStore, recoveryCodes, totp } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { fmt, measure } from './measure.js';

const STEPS = 4000;
const WARMUP = 1000;

export async function run(): Promise<Record<string, number>> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const twofa = createTwoFactor({
    issuer: 'Bench',
    store: new MemoryStore(),
    clock,
    encryptionKeys: ['b'.repeat(64)],
    methods: [totp(), recoveryCodes({ count: 50 })],
    // Every verify here is a success at a later step; lift the hourly cap so it never refuses.
    policy: { hourlyMaxAttempts: 1_000_000_000 },
  });
  const e = await twofa.enroll('bench', 'totp');
  const secret = e.secret;
  const t0 = clock.now();
  // Codes for consecutive steps, made before timing starts.
  const codes = Array.from({ length: WARMUP + STEPS + 1 }, (_, i) => generateSync({ secret, epoch: (t0 + i * 30_000) / 1000 }));
  const first = await twofa.confirmEnrollment('bench', e.id, codes[0]!);
  if (!first.ok) throw new Error('bench: confirmation failed');

  let i = 0;
  const sdk = await measure('twofa.verify (TOTP, MemoryStore)', STEPS, async () => {
    i++;
    clock.set(t0 + i * 30_000);
    const r = await twofa.verify('bench', { method: 'totp', code: codes[i]! });
    if (!r.ok) throw new Error(`bench: verify failed at step ${i}`);
  }, WARMUP);
  let j = 0;
  const bare = await measure('otplib verifySync (bare)', STEPS, async () => {
    j++;
    const r = verifySync({ secret, token: codes[j]!, epoch: (t0 + j * 30_000) / 1000, epochTolerance: 30 });
    if (!r.valid) throw new Error('bench: bare verify failed');
  }, WARMUP);

  // Recovery codes: 40 users × 50 codes, each used once.
  const users: { id: string; codes: string[] }[] = [];
  for (let u = 0; u < 40; u++) {
    const id = `rc${u}`;
    const en = await twofa.enroll(id, 'totp');
    const c = generateSync({ secret: en.secret, epoch: clock.now() / 1000 });
    const r = await twofa.confirmEnrollment(id, en.id, c);
    if (!r.ok || !r.recoveryCodes) throw new Error('bench: recovery setup failed');
    users.push({ id, codes: r.recoveryCodes });
  }
  const queue = users.flatMap((u) => u.codes.map((code) => ({ id: u.id, code })));
  let k = 0;
  const recovery = await measure('twofa.verify (recovery code, MemoryStore)', queue.length, async () => {
    const { id, code } = queue[k++]!;
    const r = await twofa.verify(id, { method: 'recovery', code });
    if (!r.ok) throw new Error('bench: recovery verify failed');
  });

  const ratio = bare.opsPerSec / sdk.opsPerSec;
  console.log(`  TOTP verify cost, SDK vs bare otplib: ${fmt(ratio, 2)}× (target ≤ 2×)`);
  return { sdkTotp: sdk.opsPerSec, bareOtplib: bare.opsPerSec, ratio, recovery: recovery.opsPerSec };
}
