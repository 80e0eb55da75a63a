import { randomBytes } from 'node:crypto';

/** Injectable time source: epoch milliseconds. Tests pass a fake clock. */
export interface Clock {
  /** The current time, in epoch milliseconds. */
  now(): number;
}

/** The real clock (`Date.now()`): the default of `createTwoFactor`. */
export const systemClock: Clock = { now: () => Date.now() };

/** Injectable randomness: returns `n` cryptographically random bytes. */
export type RandomSource = (n: number) => Uint8Array;

/** The real random source (`node:crypto` `randomBytes`): the default of `createTwoFactor`. */
export const systemRandom: RandomSource = (n) => randomBytes(n);
