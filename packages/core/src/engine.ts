import { randomId } from './crypto.js';
import { TwoFactorError } from './errors.js';
import { Emitter } from './events.js';
import type { AnyMethod, MethodContext } from './methods/types.js';
import type { Config } from './options.js';
import { Outcomes } from './outcomes.js';
import { guardSend, keys, lockCounters, lockState, type LockState } from './rate-limit.js';
import { Sealer, type ChallengeValue, type Opened } from './sealed.js';
import { makeProof } from './step-up.js';
import type { AuthenticatorRecord, Settle } from './store.js';
import type { VerifyResult } from './api.js';

/**
 * What every part of the manager shares: the checked options, the registry of methods,
 * events, the sealer, and the steps they all take (a method's context, opening
 * authenticators, reading the lockout, the backup set). createTwoFactor builds one; the
 * feature modules (enrollment, verification, authenticators, operators) take it.
 */
export interface Engine extends Config {
  /** Methods by `order`. */
  ordered: AnyMethod[];
  /** The backup method (recovery codes), if configured. */
  backup: AnyMethod | undefined;
  events: Emitter;
  sealer: Sealer;
  outcomes: Outcomes;
  /** The configured method, or TwoFactorError('unknown_method'). */
  method(id: string): AnyMethod;
  roleOf(a: AuthenticatorRecord): 'primary' | 'backup' | undefined;
  activeOf(list: AuthenticatorRecord[], method: string): AuthenticatorRecord[];
  context(userId: string, now: number, extra?: ContextExtras, method?: AnyMethod): MethodContext;
  openAll(records: AuthenticatorRecord[]): Opened[];
  refresh(opened: Opened | undefined, now: number): Promise<void>;
  readState(userId: string, now: number): Promise<{ list: AuthenticatorRecord[]; lock: (role: 'primary' | 'backup') => LockState }>;
  ensureBackup(userId: string, now: number, list: AuthenticatorRecord[], opts?: { once?: boolean }): Promise<string[] | undefined>;
  checkAnswer(m: AnyMethod, answer: unknown): void;
  abandonQuietly(m: AnyMethod, userId: string, now: number, state: Record<string, unknown>): Promise<void>;
  withProof(userId: string, success: Omit<Extract<VerifyResult, { ok: true }>, 'proof'>, now: number): VerifyResult;
  tryOpenChallenge(userId: string, stored: string): ChallengeValue | undefined;
}

export interface ContextExtras {
  settle?: Settle;
  /** The open challenge's record, used up by ctx.consume. */
  challengeKey?: string;
  replacePrevious?: () => Promise<number | undefined>;
}

/** Runs `fn` at most once (what a method calls before sending, or the manager after it); later calls get its answer. */
export function once<T>(fn: () => Promise<T>): { run: () => Promise<T>; done: () => boolean } {
  let result: Promise<T> | undefined;
  return {
    run: () => (result ??= fn()),
    done: () => result !== undefined,
  };
}


export function throwIfLocked(lock: LockState): void {
  if (lock.state === 'locked') throw new TwoFactorError('locked', { retryAt: lock.until });
  if (lock.state === 'suspended') throw new TwoFactorError('suspended');
}


export function createEngine(config: Config): Engine {
  const { issuer, store, keyRing, clock, random, logger, policy, methods } = config;
  // Methods and their providers follow the manager's clock and use its store and keys.
  for (const m of methods.values()) m.attach?.({ store, keys: keyRing, clock, random, logger, issuer });
  const backup = [...methods.values()].find((m) => m.role === 'backup');
  const ordered = [...methods.values()].sort((a, b) => a.order - b.order);
  const events = new Emitter(logger);
  const sealer = new Sealer(keyRing, events, logger, () => clock.now());
  const outcomes = new Outcomes(events);

  function method(id: string): AnyMethod {
    const m = methods.get(id);
    if (!m) throw new TwoFactorError('unknown_method', { message: `No '${id}' method is configured.` });
    return m;
  }

  const roleOf = (a: AuthenticatorRecord) => methods.get(a.method)?.role;
  const activeOf = (list: AuthenticatorRecord[], id: string) => list.filter((a) => a.method === id && a.status === 'active');


  function context(userId: string, now: number, extra: ContextExtras = {}, method?: AnyMethod): MethodContext {
    const settle = extra.settle ?? {};
    const record = extra.challengeKey;
    return {
      userId,
      now,
      issuer,
      store,
      keys: keyRing,
      random,
      policy,
      logger,
      settle,
      consume: (authenticatorId, also = {}) => store.consume(userId, { ...also, ...(record ? { record } : {}) }, now, { ...settle, touch: authenticatorId }),
      report: (authenticatorId, reason) => {
        if (!method || !/^[a-z_]{1,40}$/.test(reason) || typeof authenticatorId !== 'string') return;
        events.emit('authenticator.anomaly', { userId, method: method.id, authenticatorId, reason, at: now });
      },
      guardSend: (destination, purpose) => guardSend(store, keyRing, policy, userId, destination, purpose, now),
      releaseCooldown: (destination, purpose) => store.resetCounters(userId, [keys.cooldown(purpose, keyRing.hash('destination', destination))]),
      replacePrevious: extra.replacePrevious ?? (async () => undefined),
    };
  }


  /** Opens the readable ones; unreadable ones were reported by the sealer. */
  function openAll(records: AuthenticatorRecord[]): Opened[] {
    return records.map((r) => sealer.open(r)).filter((x): x is Opened => x !== null);
  }

  /** Writes a stale secret again (newest key, bound format) after a successful use. */
  async function refresh(opened: Opened | undefined, now: number): Promise<void> {
    if (!opened?.stale) return;
    const { record, config } = opened.auth;
    const secret = sealer.sealConfig(record.userId, record.id, config);
    // The record was read before the use that just succeeded: carry its lastUsedAt forward.
    await store.updateAuthenticator({ ...record, secret, lastUsedAt: now }, record.secret).catch((e) => logger.warn(`twofa: re-encrypting an authenticator failed: ${String((e as Error).message)}`));
  }

  async function readState(userId: string, now: number): Promise<{ list: AuthenticatorRecord[]; lock: (role: 'primary' | 'backup') => LockState }> {
    const r = await store.hit(userId, [], now, { load: { authenticators: true, counters: lockCounters } });
    return { list: r.authenticators ?? [], lock: (role) => lockState(policy, r.counters ?? [], role) };
  }


  /**
   * Creates the backup (recovery codes) if the user has none. With `once`, two
   * confirmations racing (TOTP and phone at the same moment) cannot both create a set and
   * leave the first one shown invalid: an atomic counter lets one of them through.
   */
  async function ensureBackup(userId: string, now: number, list: AuthenticatorRecord[], opts: { once?: boolean } = {}): Promise<string[] | undefined> {
    if (!backup?.provision || activeOf(list, backup.id).length > 0) return undefined;
    if (opts.once) {
      const gate = await store.hit(userId, [{ key: keys.backupInit, limit: 1, windowSeconds: 60 }], now, { load: { authenticators: true } });
      if (!gate.allowed || activeOf(gate.authenticators ?? [], backup.id).length > 0) return undefined;
    }
    const codes = await backup.provision(context(userId, now));
    const id = randomId(random);
    await store.saveAuthenticator({ userId, id, method: backup.id, status: 'active', secret: sealer.sealConfig(userId, id, {}), createdAt: now, confirmedAt: now });
    events.emit('authenticator.enrolled', { userId, method: backup.id, authenticatorId: id, at: now });
    return codes;
  }

  function checkAnswer(m: AnyMethod, answer: unknown): void {
    const ok = m.answer === 'code' ? typeof answer === 'string' : answer !== null && typeof answer === 'object';
    if (!ok) throw new TwoFactorError('invalid_input', { message: m.answer === 'code' ? 'code must be a string.' : `The ${m.id} method takes a response object.` });
  }

  async function abandonQuietly(m: AnyMethod, userId: string, now: number, state: Record<string, unknown>): Promise<void> {
    await m.abandon?.(context(userId, now), state).catch(() => undefined);
  }

  /** A success with its step-up proof, signed when first read (most callers never read it). */
  function withProof(userId: string, success: Omit<Extract<VerifyResult, { ok: true }>, 'proof'>, now: number): VerifyResult {
    let proof: string | undefined;
    return Object.defineProperty(success, 'proof', {
      enumerable: true,
      get: () => (proof ??= makeProof(keyRing, userId, { method: success.method, authenticatorId: success.authenticatorId, verifiedAt: now })),
    }) as VerifyResult;
  }

  function tryOpenChallenge(userId: string, stored: string): ChallengeValue | undefined {
    try {
      return sealer.openChallenge(userId, stored);
    } catch {
      return undefined;
    }
  }

  return { ...config, ordered, backup, events, sealer, outcomes, method, roleOf, activeOf, context, openAll, refresh, readState, ensureBackup, checkAnswer, abandonQuietly, withProof, tryOpenChallenge };
}
