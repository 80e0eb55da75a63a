import type { Clock } from '@twofa/core/adapter';

/** A clock that moves only when told to. Pass it as `clock` to createTwoFactor and stores. */
export class FakeClock implements Clock {
  private t: number;

  /** Starts at `start` (default 2026-01-01 12:00 UTC). */
  constructor(start: number | Date = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  /** The fake time, in epoch milliseconds. */
  now(): number {
    return this.t;
  }

  /** Move forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('FakeClock only moves forward');
    this.t += ms;
  }

  /** Moves time forward by `s` seconds. */
  advanceSeconds(s: number): void {
    this.advance(s * 1000);
  }

  /** Sets the time. */
  set(t: number | Date): void {
    this.t = typeof t === 'number' ? t : t.getTime();
  }
}

/** A new `FakeClock`. */
export function fakeClock(start?: number | Date): FakeClock {
  return new FakeClock(start);
}
