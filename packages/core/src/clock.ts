import { randomBytes } from 'node:crypto';

/** Injectable time source: epoch milliseconds. Tests pass a fake clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Injectable randomness: returns `n` cryptographically random bytes. */
export type RandomSource = (n: number) => Uint8Array;

export const systemRandom: RandomSource = (n) => randomBytes(n);
