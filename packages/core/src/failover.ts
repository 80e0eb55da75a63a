import { systemClock, type Clock } from './clock.js';
import { TwoFactorError, isTwoFactorError } from './errors.js';
import { isNetworkError } from './provider-call.js';
import type {
  Channel,
  CheckInput,
  CheckStatus,
  MessageSender,
  OutgoingMessage,
  StartInput,
  StartedVerification,
  Verifier,
} from './verifier.js';

/** Circuit breaker settings: skip a provider after `failures` consecutive retryable failures, for `cooldownSeconds`. */
export interface BreakerOptions {
  failures?: number;
  cooldownSeconds?: number;
}

/** What failover reports. Carries provider names and error codes only: never a number, code or credential. */
export type FailoverEvent =
  | { type: 'failover'; from: string; to: string; code: string }
  | { type: 'skipped'; provider: string; reason: 'breaker_open' | 'channel_unsupported' }
  | { type: 'breaker_open'; provider: string; until: number }
  | { type: 'breaker_closed'; provider: string };

/** Options of `failover()`. */
export interface FailoverOptions {
  /** Defaults to `failover(<names>)`. */
  name?: string;
  /** `false` turns the breaker off. Default `{ failures: 3, cooldownSeconds: 60 }`. */
  breaker?: BreakerOptions | false;
  clock?: Clock;
  /** Called when failover moves past a provider, or a breaker opens or closes: log it, count it. */
  onEvent?: (event: FailoverEvent) => void;
}

type Provider = Verifier | MessageSender;

/** Every failure leaves failover as a TwoFactorError; an unknown one is permanent (provider_error). */
function toTyped(e: unknown, provider: string): TwoFactorError {
  if (isTwoFactorError(e)) return e;
  return new TwoFactorError(isNetworkError(e) ? 'provider_unavailable' : 'provider_error', { provider, cause: e });
}

interface BreakerState {
  failures: number;
  openUntil: number;
}

/** Ids handed out are `<index>:<innerId>`, so check/cancel reach the owner with no shared state. */
function parseId(id: string, count: number): { index: number; inner: string } | null {
  const m = /^(\d{1,3}):(.+)$/s.exec(id);
  if (!m) return null;
  const index = Number(m[1]);
  return index < count ? { index, inner: m[2]! } : null;
}

class Failover {
  readonly name: string;
  readonly channels: readonly Channel[];
  private readonly state: BreakerState[];
  private clock: Clock;
  private readonly threshold: number;
  private readonly cooldownMs: number;

  constructor(readonly providers: readonly Provider[], readonly options: FailoverOptions) {
    if (providers.length === 0) throw new TwoFactorError('config_invalid', { message: 'failover needs at least one provider.' });
    if (providers.length > 999) throw new TwoFactorError('config_invalid', { message: 'failover takes at most 999 providers.' });
    this.name = options.name ?? `failover(${providers.map((p) => p.name).join(',')})`;
    this.channels = [...new Set(providers.flatMap((p) => p.channels))];
    this.clock = options.clock ?? systemClock;
    const b = options.breaker === false ? { failures: Infinity, cooldownSeconds: 0 } : options.breaker ?? {};
    this.threshold = b.failures ?? 3;
    this.cooldownMs = (b.cooldownSeconds ?? 60) * 1000;
    if (!(this.threshold >= 1) || !(this.cooldownMs >= 0)) {
      throw new TwoFactorError('config_invalid', { message: 'breaker.failures must be >= 1 and cooldownSeconds >= 0.' });
    }
    this.state = providers.map(() => ({ failures: 0, openUntil: 0 }));
  }

  /** Inside createTwoFactor the breaker follows the manager's clock, unless one was given. */
  adoptClock(clock: Clock): void {
    if (!this.options.clock) this.clock = clock;
  }

  private emit(event: FailoverEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // a listener's bug must not change which provider sends
    }
  }

  private isOpen(i: number): boolean {
    return this.state[i]!.openUntil > this.clock.now();
  }

  private succeeded(i: number): void {
    const s = this.state[i]!;
    if (s.failures >= this.threshold) this.emit({ type: 'breaker_closed', provider: this.providers[i]!.name });
    s.failures = 0;
    s.openUntil = 0;
  }

  private failed(i: number): void {
    const s = this.state[i]!;
    s.failures += 1;
    // A provider half-open after its cooldown re-opens at its first new failure.
    if (s.failures >= this.threshold) {
      s.openUntil = this.clock.now() + this.cooldownMs;
      this.emit({ type: 'breaker_open', provider: this.providers[i]!.name, until: s.openUntil });
    }
  }

  /** Records the outcome of one call for the breaker and returns the typed error. */
  private record(i: number, e: unknown): TwoFactorError {
    const err = toTyped(e, this.providers[i]!.name);
    // A permanent answer still proves the provider is up.
    if (err.retryable) this.failed(i);
    else this.succeeded(i);
    return err;
  }

  /**
   * Tries providers in order, each at most once, stopping at the first answer that is a
   * success or a permanent error. Sequential on purpose: one start never sends twice
   * in parallel, and nothing is sent after a success.
   */
  async first<T>(channel: Channel | null, call: (p: Provider) => Promise<T>): Promise<{ index: number; value: T }> {
    let last: TwoFactorError | undefined;
    let lastName: string | undefined;
    let supported = false;
    for (let i = 0; i < this.providers.length; i++) {
      const p = this.providers[i]!;
      if (channel !== null && !p.channels.includes(channel)) {
        this.emit({ type: 'skipped', provider: p.name, reason: 'channel_unsupported' });
        continue;
      }
      supported = true;
      if (this.isOpen(i)) {
        this.emit({ type: 'skipped', provider: p.name, reason: 'breaker_open' });
        continue;
      }
      if (last && lastName) this.emit({ type: 'failover', from: lastName, to: p.name, code: last.code });
      try {
        const value = await call(p);
        this.succeeded(i);
        return { index: i, value };
      } catch (e) {
        const err = this.record(i, e);
        if (!err.retryable) throw err;
        last = err;
        lastName = p.name;
      }
    }
    if (!supported) {
      throw new TwoFactorError('channel_unsupported', { message: `No provider in ${this.name} supports that channel.` });
    }
    if (last) throw last;
    // Every capable provider is behind an open breaker: fail fast, say when one reopens.
    const retryAt = Math.min(
      ...this.state.filter((_, i) => channel === null || this.providers[i]!.channels.includes(channel)).map((s) => s.openUntil),
    );
    throw new TwoFactorError('provider_unavailable', {
      message: `Every provider in ${this.name} is failing; trying again later.`,
      retryAt,
      retryAfter: Math.max(0, Math.ceil((retryAt - this.clock.now()) / 1000)),
    });
  }

  /** check/cancel go to the owner even when its breaker is open: no other provider knows the code. */
  async owner<T>(index: number, call: () => Promise<T>): Promise<T> {
    try {
      const value = await call();
      this.succeeded(index);
      return value;
    } catch (e) {
      throw this.record(index, e);
    }
  }
}

function isVerifier(p: Provider): p is Verifier {
  return typeof (p as Verifier).start === 'function' && typeof (p as Verifier).check === 'function';
}

function isSender(p: Provider): p is MessageSender {
  return typeof (p as MessageSender).send === 'function';
}

function verifierFailover(f: Failover, verifiers: readonly Verifier[]): Verifier {
  const notFound = () => new TwoFactorError('verification_not_found', { provider: f.name });
  const v: Verifier = {
    name: f.name,
    channels: f.channels,
    async start(input: StartInput): Promise<StartedVerification> {
      const { index, value } = await f.first(input.channel, (p) => (p as Verifier).start(input));
      return { ...value, id: `${index}:${value.id}` };
    },
    async check(input: CheckInput): Promise<CheckStatus> {
      const at = parseId(input.id, verifiers.length);
      if (!at) throw notFound();
      return f.owner(at.index, () => verifiers[at.index]!.check({ id: at.inner, code: input.code }));
    },
    async cancel(id: string): Promise<boolean> {
      const at = parseId(id, verifiers.length);
      if (!at) return false;
      return f.owner(at.index, () => verifiers[at.index]!.cancel(at.inner));
    },
  };
  const capable = verifiers.filter((p) => p.lookupLineType);
  // Its own breaker: a failing lookup service says little about sending.
  const lookups = capable.length > 0 ? new Failover(capable, { ...f.options, name: `${f.name}.lookup` }) : undefined;
  if (lookups) {
    v.lookupLineType = async (e164: string) =>
      (await lookups.first(null, (p) => (p as Verifier).lookupLineType!(e164))).value;
  }
  // Inside createTwoFactor: the breakers follow the manager's clock, and a localVerifier()
  // among the providers gets the manager's store, keys and clock.
  v.attach = (env) => {
    f.adoptClock(env.clock);
    lookups?.adoptClock(env.clock);
    for (const p of verifiers) p.attach?.(env);
  };
  return v;
}

function senderFailover(f: Failover, senders: readonly MessageSender[]): MessageSender {
  return {
    name: f.name,
    channels: f.channels,
    attach(env) {
      f.adoptClock(env.clock);
      for (const p of senders) p.attach?.(env);
    },
    async send(message: OutgoingMessage): Promise<{ id: string }> {
      const { index, value } = await f.first(message.channel, (p) => (p as MessageSender).send(message));
      return { id: `${index}:${value.id}` };
    },
  };
}

/**
 * Composes providers tried in order: the next one is used only when the previous failed
 * with a retryable error (provider_unavailable, rate_limited, or a network error), never
 * after a permanent one (an invalid number is refused once, not at every provider).
 *
 * Give it Verifiers and get a Verifier; give it MessageSenders and get a MessageSender.
 * Verification ids are `<index>:<innerId>`, so keep the order of the list stable across
 * deploys (append new providers at the end).
 */
export function failover(verifiers: readonly Verifier[], options?: FailoverOptions): Verifier;
export function failover(senders: readonly MessageSender[], options?: FailoverOptions): MessageSender;
export function failover(providers: readonly Provider[], options: FailoverOptions = {}): Verifier | MessageSender {
  if (!Array.isArray(providers)) throw new TwoFactorError('config_invalid', { message: 'failover takes an array of providers.' });
  const f = new Failover(providers, options);
  if (providers.every(isVerifier)) return verifierFailover(f, providers as Verifier[]);
  if (providers.every(isSender)) return senderFailover(f, providers as MessageSender[]);
  throw new TwoFactorError('config_invalid', {
    message: 'failover takes only Verifiers (start/check/cancel) or only MessageSenders (send), not a mix.',
  });
}
