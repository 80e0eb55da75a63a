/** Shared timing helpers for `pnpm bench`. */
export interface Measured {
  label: string;
  ops: number;
  ms: number;
  opsPerSec: number;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Runs `fn` `ops` times after a short warm-up and prints ops/s. */
export async function measure(label: string, ops: number, fn: () => Promise<void> | void, warmup = 0): Promise<Measured> {
  for (let i = 0; i < warmup; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const m = { label, ops, ms, opsPerSec: (ops / ms) * 1000 };
  console.log(`  ${label.padEnd(48)} ${fmt(m.opsPerSec).padStart(10)} ops/s  (${ops} ops in ${fmt(ms)} ms)`);
  return m;
}

/** Runs `fn` from `concurrency` workers for `ops` calls in all. */
export async function measureConcurrent(label: string, ops: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<Measured> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) await fn(next++);
    }),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const m = { label, ops, ms, opsPerSec: (ops / ms) * 1000 };
  console.log(`  ${label.padEnd(48)} ${fmt(m.opsPerSec).padStart(10)} ops/s  (${ops} ops, concurrency ${concurrency})`);
  return m;
}

/**
 * Runs the variants in turn for `rounds` rounds of `ops` calls each and keeps each one's best
 * round (damps noise on a shared machine). Each round starts at the next variant, so none
 * is always measured first or last while the machine warms up. `reset` runs before every
 * measurement (clear fake state so memory stays flat).
 */
export async function bestOfRounds(
  variants: [label: string, fn: () => Promise<void>][],
  o: { ops: number; rounds: number; warmup: number; reset: () => void },
): Promise<Measured[]> {
  for (let i = 0; i < o.warmup; i++) for (const [, fn] of variants) await fn();
  const best: (Measured | undefined)[] = variants.map(() => undefined);
  for (let r = 1; r <= o.rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (r - 1 + k) % variants.length;
      const [label, fn] = variants[i]!;
      o.reset();
      const m = await measure(`${label} (round ${r})`, o.ops, fn);
      if (!best[i] || m.opsPerSec > best[i]!.opsPerSec) best[i] = m;
    }
  }
  return best as Measured[];
}
