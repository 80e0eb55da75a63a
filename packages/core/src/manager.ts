import { systemClock, systemRandom, type Clock, type RandomSource } from './clock.js';
import { KeyRing, randomId } from './crypto.js';
import { TwoFactorError, isTwoFactorError } from './errors.js';
import { Emitter, type EventName, type Listener, type Logger } from './events.js';
import type { RecoveryCodesInterface } from './interfaces/recovery-codes.js';
import type { ChallengeOptions, CheckOutcome, Interface, MethodContext, OpenAuthenticator } from './interfaces/types.js';
import { MemoryStore } from './memory-store.js';
import { resolvePolicy, type Policy, type PolicyInput } from './policy.js';
import { guardSend, keys, userAttemptRules } from './rate-limit.js';
import { checkDeviceToken, makeDeviceToken, securityVersion } from './remember-device.js';
import type { AuthenticatorRecord, RateRule, Settle, Store } from './store.js';
import { guardStore } from './store-guard.js';
import type { Channel } from './verifier.js';
import { assertCode, assertMethodId, assertUserId } from './validate.js';

export interface TwoFactorOptions {
  /** Shown in authenticator apps and messages, e.g. your product name. */
  issuer: string;
  /** Where all state lives. Default: a MemoryStore (one process only). */
  store?: Store;
  /** 32-byte keys (64 hex chars or base64, optionally 'keyId:' first), newest first. */
  encryptionKeys?: readonly (string | undefined)[];
  /** Run without encrypting secrets at rest. For development only; logs a warning. */
  insecureNoEncryption?: boolean;
  interfaces: Interface[];
  policy?: PolicyInput;
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
}

export type VerifyError = 'invalid_code' | 'expired' | 'locked' | 'max_attempts';

export type VerifyResult =
  | { ok: true; method: string }
  | { ok: false; error: VerifyError; attemptsLeft: number; retryAt?: number };

export type ConfirmResult =
  | { ok: true; method: string; recoveryCodes?: string[] }
  | { ok: false; error: VerifyError; attemptsLeft: number; retryAt?: number };

export interface MethodInfo {
  method: string;
  status: 'active' | 'pending' | 'available';
  isBackup: boolean;
  display: Record<string, string>;
  createdAt?: number;
  confirmedAt?: number;
  lastUsedAt?: number;
  /** Unused recovery codes, for the recovery method. */
  remaining?: number;
}

export interface Challenge {
  id: string;
  method: string;
  channel?: Channel;
  destination?: string;
  expiresAt: number;
  /** When a new code may be asked for (methods that send one). */
  resendAt?: number;
}

export type VerifyInput = { challengeId: string; code: string } | { method: string; code: string };

interface ChallengeRecord {
  method: string;
  authenticatorId: string;
  state: Record<string, unknown>;
  expiresAt: number;
}

interface StoredConfig {
  c: Record<string, unknown>;
  /** Pending enrollments: confirmable until. */
  exp?: number;
}

export interface TwoFactor {
  readonly policy: Policy;
  enroll(userId: string, method: string, input?: Record<string, unknown>): Promise<Record<string, unknown> & { method: string; expiresAt: number }>;
  confirmEnrollment(userId: string, method: string, code: string): Promise<ConfirmResult>;
  methods(userId: string): Promise<MethodInfo[]>;
  challenge(userId: string, options?: ChallengeOptions & { method?: string }): Promise<Challenge>;
  verify(userId: string, input: VerifyInput): Promise<VerifyResult>;
  remove(userId: string, method: string): Promise<{ removed: string[] }>;
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  recoveryCodesRemaining(userId: string): Promise<number>;
  rememberDevice(userId: string, options?: { days?: number }): Promise<string>;
  isDeviceRemembered(userId: string, token: unknown): Promise<boolean>;
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
}

const RECOVERY = 'recovery';

export function createTwoFactor(options: TwoFactorOptions): TwoFactor {
  if (!options || typeof options !== 'object') throw new TwoFactorError('config_invalid', { message: 'createTwoFactor needs an options object.' });
  const { issuer } = options;
  if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 100 || issuer.includes(':')) {
    throw new TwoFactorError('config_invalid', { message: 'issuer must be 1–100 characters without ":".' });
  }
  const logger: Logger = options.logger ?? { warn: (m) => console.warn(m) };
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const policy = resolvePolicy(options.policy);
  const store = guardStore(options.store ?? new MemoryStore());
  const keyList = options.encryptionKeys ?? [];
  if (keyList.some((k) => k === undefined || k === '')) {
    throw new TwoFactorError('encryption_key_missing', { message: 'An entry of encryptionKeys is empty (is the environment variable set?).' });
  }
  if (keyList.length === 0 && !options.insecureNoEncryption) throw new TwoFactorError('encryption_key_missing');
  const keyRing = new KeyRing(keyList as string[], random);
  if (!keyRing.encrypted) logger.warn('twofa: insecureNoEncryption is set: TOTP secrets and phone numbers are stored unencrypted. Development only.');

  const interfaces = new Map<string, Interface>();
  for (const iface of options.interfaces ?? []) {
    if (interfaces.has(iface.id)) throw new TwoFactorError('config_invalid', { message: `Interface '${iface.id}' is listed twice.` });
    interfaces.set(iface.id, iface);
  }
  if (![...interfaces.values()].some((i) => !i.isBackup)) {
    throw new TwoFactorError('config_invalid', { message: 'At least one primary (non-backup) interface is needed.' });
  }
  const recovery = interfaces.get(RECOVERY) as RecoveryCodesInterface | undefined;
  // Methods and their providers follow the manager's clock and use its store and keys.
  for (const i of interfaces.values()) i.attach?.({ store, keys: keyRing, clock, random, logger, issuer });

  const events = new Emitter(logger);

  function iface(method: string): Interface {
    const i = interfaces.get(method);
    if (!i) throw new TwoFactorError('unknown_method', { message: `No '${method}' method is configured.` });
    return i;
  }

  function context(userId: string, now: number, settle: Settle = {}, consume?: () => Promise<boolean>): MethodContext {
    return {
      userId,
      now,
      issuer,
      store,
      keys: keyRing,
      random,
      policy,
      settle,
      consume: consume ?? (async () => {
        await store.resetCounters(userId, settle.reset ?? []);
        return true;
      }),
      guardSend: (destination, purpose) => guardSend(store, keyRing, policy, userId, destination, purpose, now),
      releaseCooldown: (purpose) => store.resetCounters(userId, [keys.cooldown(purpose)]),
    };
  }

  function open(record: AuthenticatorRecord): OpenAuthenticator & { exp?: number } {
    const stored = JSON.parse(keyRing.decrypt(record.secret)) as StoredConfig;
    return { record, config: stored.c, ...(stored.exp !== undefined ? { exp: stored.exp } : {}) };
  }

  const active = (list: AuthenticatorRecord[], method: string) => list.find((a) => a.type === method && a.status === 'active');

  /** Turns a refused or failed attempt into a typed result, emitting events. */
  function failure(
    userId: string,
    purpose: 'enroll' | 'challenge',
    method: string | undefined,
    error: VerifyError,
    rules: RateRule[],
    counts: number[],
    resetAt: number[],
    now: number,
  ): { ok: false; error: VerifyError; attemptsLeft: number; retryAt?: number } {
    const attemptsLeft = Math.max(0, Math.min(...rules.map((r, i) => r.limit - counts[i]!)));
    const exhausted = rules.map((r, i) => (counts[i]! >= r.limit ? resetAt[i]! : 0)).filter((t) => t > 0);
    const retryAt = exhausted.length ? Math.max(...exhausted) : undefined;
    const failIdx = rules.findIndex((r) => r.key === keys.failures);
    if (error === 'invalid_code' && failIdx >= 0 && counts[failIdx] === rules[failIdx]!.limit) {
      events.emit('user.locked', { userId, until: resetAt[failIdx]!, at: now });
    }
    events.emit('verification.failed', { userId, ...(method ? { method } : {}), purpose, error, attemptsLeft, at: now });
    return { ok: false, error, attemptsLeft, ...(retryAt !== undefined ? { retryAt } : {}) };
  }

  /** A refused attempt: a user-wide lockout says more than an exhausted challenge. */
  function refused(rules: RateRule[], counts: number[]): VerifyError {
    const blocked = rules.filter((r, i) => counts[i]! >= r.limit);
    return blocked.some((r) => !r.key.startsWith('att:')) ? 'locked' : 'max_attempts';
  }

  /**
   * Creates the recovery set if the user has none. With `once`, two confirmations racing
   * (TOTP and phone at the same moment) cannot both create a set and leave the first one
   * shown invalid: an atomic counter lets one of them through.
   */
  async function ensureRecovery(userId: string, now: number, list: AuthenticatorRecord[], opts: { once?: boolean } = {}): Promise<string[] | undefined> {
    if (!recovery || active(list, RECOVERY)) return undefined;
    if (opts.once) {
      const gate = await store.hit(userId, [{ key: keys.recoveryInit, limit: 1, windowSeconds: 60 }], now, { authenticators: true });
      if (!gate.allowed || active(gate.authenticators ?? [], RECOVERY)) return undefined;
    }
    const codes = await recovery.generate(context(userId, now));
    await store.saveAuthenticator({
      userId,
      id: randomId(random),
      type: RECOVERY,
      status: 'active',
      secret: keyRing.encrypt(JSON.stringify({ c: {} })),
      createdAt: now,
      confirmedAt: now,
    });
    events.emit('method.enrolled', { userId, method: RECOVERY, at: now });
    return codes;
  }

  const api: TwoFactor = {
    policy,

    async enroll(userId, method, input = {}) {
      assertUserId(userId);
      assertMethodId(method);
      if (input === null || typeof input !== 'object') throw new TwoFactorError('invalid_input', { message: 'enroll input must be an object.' });
      const i = iface(method);
      if (i.isBackup) throw new TwoFactorError('backup_only', { message: 'Backup methods are enrolled with the first primary method.' });
      if (!i.isAvailable()) throw new TwoFactorError('method_unavailable');
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      const start = await i.enroll(context(userId, now), input);
      const exp = now + start.ttlSeconds * 1000;
      const record: AuthenticatorRecord = {
        userId,
        id: randomId(random),
        type: method,
        status: 'pending',
        secret: keyRing.encrypt(JSON.stringify({ c: start.config, exp } satisfies StoredConfig)),
        ...(start.display ? { display: start.display } : {}),
        createdAt: now,
      };
      // One pending enrollment per method; an active one keeps working until this is confirmed.
      const stalePending = list.filter((a) => a.type === method && a.status === 'pending').map((a) => a.id);
      await store.saveAuthenticator(record, stalePending);
      await store.resetCounters(userId, [keys.enrollAttempts(method)]);
      if (start.output.channel) {
        events.emit('verification.sent', {
          userId,
          method,
          channel: start.output.channel as Channel,
          ...(start.display?.phone ? { destination: start.display.phone } : {}),
          purpose: 'enroll',
          at: now,
        });
      }
      return { method, ...start.output, expiresAt: exp };
    },

    async confirmEnrollment(userId, method, code) {
      assertUserId(userId);
      assertMethodId(method);
      assertCode(code);
      const i = iface(method);
      const now = clock.now();
      const rules: RateRule[] = [
        { key: keys.enrollAttempts(method), limit: policy.maxAttempts, windowSeconds: policy.lockoutSeconds },
        ...userAttemptRules(policy),
      ];
      const gate = await store.hit(userId, rules, now, { authenticators: true });
      if (!gate.allowed) return failure(userId, 'enroll', method, refused(rules, gate.counts), rules, gate.counts, gate.resetAt, now);
      const list = gate.authenticators ?? [];
      const pendingRecord = list.find((a) => a.type === method && a.status === 'pending');
      if (!pendingRecord) throw new TwoFactorError('no_pending_enrollment');
      const pending = open(pendingRecord);
      // A failed confirmation deletes nothing: a parallel call with the right code may have
      // just activated this very record (same id). A dead pending record is harmless (it
      // cannot be confirmed) and goes with the next enroll().
      if (pending.exp !== undefined && pending.exp <= now) return failure(userId, 'enroll', method, 'expired', rules, gate.counts, gate.resetAt, now);
      const outcome = await i.confirm(context(userId, now, { reset: [keys.failures] }), pending, code);
      if (outcome !== 'approved') return failure(userId, 'enroll', method, outcomeError(outcome), rules, gate.counts, gate.resetAt, now);
      const replaced = list.filter((a) => a.type === method && a.status === 'active').map((a) => a.id);
      await store.saveAuthenticator({ ...pendingRecord, status: 'active', confirmedAt: now, lastUsedAt: now }, replaced);
      await store.resetCounters(userId, [keys.enrollAttempts(method)]);
      events.emit('verification.succeeded', { userId, method, purpose: 'enroll', at: now });
      events.emit('method.enrolled', { userId, method, at: now });
      const recoveryCodes = await ensureRecovery(userId, now, list, { once: true });
      return { ok: true, method, ...(recoveryCodes ? { recoveryCodes } : {}) };
    },

    async methods(userId) {
      assertUserId(userId);
      const list = await store.getAuthenticators(userId);
      const out: (MethodInfo & { order: number })[] = [];
      for (const i of interfaces.values()) {
        const a = active(list, i.id) ?? list.find((x) => x.type === i.id);
        if (a) {
          out.push({
            method: i.id,
            order: i.order,
            status: a.status,
            isBackup: i.isBackup,
            display: a.display ?? {},
            createdAt: a.createdAt,
            ...(a.confirmedAt !== undefined ? { confirmedAt: a.confirmedAt } : {}),
            ...(a.lastUsedAt !== undefined ? { lastUsedAt: a.lastUsedAt } : {}),
            ...(i.id === RECOVERY ? { remaining: await store.countRecoveryCodes(userId) } : {}),
          });
        } else if (!i.isBackup && i.isAvailable()) {
          out.push({ method: i.id, order: i.order, status: 'available', isBackup: false, display: {} });
        }
      }
      return out.sort((a, b) => a.order - b.order).map(({ order: _order, ...m }) => m);
    },

    async challenge(userId, opts = {}) {
      assertUserId(userId);
      if (opts === null || typeof opts !== 'object') throw new TwoFactorError('invalid_input', { message: 'challenge options must be an object.' });
      if (opts.method !== undefined) assertMethodId(opts.method);
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      const enrolled = [...interfaces.values()]
        .filter((i) => i.isAvailable() && active(list, i.id))
        .sort((a, b) => a.order - b.order);
      const i = opts.method !== undefined ? iface(opts.method) : enrolled.find((x) => !x.isBackup) ?? enrolled[0];
      if (!i) throw new TwoFactorError('not_enrolled', { message: 'The user has no second factor enrolled.' });
      if (!i.isAvailable()) throw new TwoFactorError('method_unavailable');
      const rec = active(list, i.id);
      if (!rec) throw new TwoFactorError('not_enrolled', { message: `The user has no active '${i.id}' method.` });
      const start = await i.challenge(context(userId, now), open(rec), opts);
      const id = randomId(random);
      const ttl = start.ttlSeconds > 0 ? start.ttlSeconds : policy.challengeTtlSeconds;
      const expiresAt = now + ttl * 1000;
      const value: ChallengeRecord = { method: i.id, authenticatorId: rec.id, state: start.state, expiresAt };
      await store.putRecord(userId, keys.challenge(id), keyRing.encrypt(JSON.stringify(value)), expiresAt);
      if (start.channel) {
        events.emit('verification.sent', {
          userId,
          method: i.id,
          channel: start.channel,
          ...(start.destination ? { destination: start.destination } : {}),
          purpose: 'challenge',
          at: now,
        });
      }
      return {
        id,
        method: i.id,
        expiresAt,
        ...(start.channel ? { channel: start.channel, resendAt: now + policy.resendAfterSeconds * 1000 } : {}),
        ...(start.destination ? { destination: start.destination } : {}),
      };
    },

    async verify(userId, input) {
      assertUserId(userId);
      if (input === null || typeof input !== 'object') throw new TwoFactorError('invalid_input', { message: 'verify input must be an object.' });
      assertCode(input.code);
      const challengeId = 'challengeId' in input ? input.challengeId : undefined;
      if (challengeId !== undefined && (typeof challengeId !== 'string' || challengeId.length === 0 || challengeId.length > 64)) {
        throw new TwoFactorError('invalid_input', { message: 'challengeId must be the id challenge() returned.' });
      }
      let method = 'method' in input ? input.method : undefined;
      if (challengeId === undefined) {
        if (method === undefined) throw new TwoFactorError('invalid_input', { message: 'verify needs a challengeId or a method.' });
        assertMethodId(method);
        const m = iface(method);
        // Code-sending methods need their challenge: the code belongs to it.
        if (m.id !== 'totp' && m.id !== RECOVERY && !m.isBackup) {
          throw new TwoFactorError('invalid_input', { message: `Verifying '${method}' needs the challengeId from challenge().` });
        }
      }
      const now = clock.now();
      const chKey = challengeId !== undefined ? keys.challenge(challengeId) : undefined;
      const rules: RateRule[] = [
        ...(challengeId !== undefined
          ? [{ key: keys.challengeAttempts(challengeId), limit: policy.maxAttempts, windowSeconds: policy.challengeTtlSeconds }]
          : []),
        ...userAttemptRules(policy),
      ];
      // Round trip 1: count the attempt (before any comparison) and load what the check needs.
      const gate = await store.hit(userId, rules, now, { authenticators: true, ...(chKey ? { record: chKey } : {}) });
      if (!gate.allowed) return failure(userId, 'challenge', method, refused(rules, gate.counts), rules, gate.counts, gate.resetAt, now);
      const fail = (error: VerifyError) => failure(userId, 'challenge', method, error, rules, gate.counts, gate.resetAt, now);

      let challenge: ChallengeRecord | undefined;
      if (chKey) {
        if (!gate.record) return fail('expired');
        challenge = JSON.parse(keyRing.decrypt(gate.record)) as ChallengeRecord;
        method = challenge.method;
        if (challenge.expiresAt <= now) return fail('expired');
      }
      const i = iface(method!);
      const list = gate.authenticators ?? [];
      const rec = challenge ? list.find((a) => a.id === challenge.authenticatorId && a.status === 'active') : active(list, i.id);
      if (!rec) {
        if (challenge) return fail('expired'); // the method was removed while the challenge was open
        throw new TwoFactorError('not_enrolled', { message: `The user has no active '${i.id}' method.` });
      }
      const settle: Settle = { reset: [keys.failures], touch: rec.id, ...(chKey ? { drop: [chKey] } : {}) };
      const consume = async () =>
        chKey
          ? (await store.takeRecord(userId, chKey, now, { reset: settle.reset!, touch: rec.id })) !== null
          : (await store.resetCounters(userId, settle.reset!), true);
      // Round trip 2 (on success): the interface consumes its one-time thing and settles.
      const outcome = await i.check(context(userId, now, settle, consume), open(rec), input.code, challenge?.state);
      if (outcome === 'approved') {
        events.emit('verification.succeeded', { userId, method: i.id, purpose: 'challenge', at: now });
        return { ok: true, method: i.id };
      }
      // A challenge that cannot succeed any more is closed, and an exhausted one's code is
      // cancelled at the provider, so no live code outlives the attempts it was allowed.
      const exhausted = challengeId !== undefined && gate.counts[0]! >= rules[0]!.limit;
      if (chKey && (outcome !== 'invalid' || exhausted)) {
        const taken = await store.takeRecord(userId, chKey, now);
        if (taken && outcome === 'invalid' && challenge) await i.abandon?.(context(userId, now), challenge.state).catch(() => undefined);
      }
      return fail(outcomeError(outcome));
    },

    async remove(userId, method) {
      assertUserId(userId);
      assertMethodId(method);
      iface(method);
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      const ids = list.filter((a) => a.type === method).map((a) => a.id);
      if (ids.length === 0) return { removed: [] };
      const removed = [method];
      const primaryLeft = list.some((a) => a.status === 'active' && a.type !== method && !interfaces.get(a.type)?.isBackup);
      if (method === RECOVERY || !primaryLeft) {
        // Codes go before their record, so a crash in between leaves a method with no codes, never codes without a method.
        const rec = list.filter((a) => a.type === RECOVERY).map((a) => a.id);
        if (rec.length) {
          await store.setRecoveryCodes(userId, [], now);
          await store.resetCounters(userId, [keys.recoveryInit]); // the next first method gets a new set at once
          if (method !== RECOVERY) removed.push(RECOVERY);
          ids.push(...rec.filter((id) => !ids.includes(id)));
        }
      }
      await store.deleteAuthenticators(userId, ids);
      for (const m of removed) events.emit('method.removed', { userId, method: m, at: now });
      return { removed };
    },

    async regenerateRecoveryCodes(userId) {
      assertUserId(userId);
      if (!recovery) throw new TwoFactorError('unknown_method', { message: 'recoveryCodes() is not configured.' });
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      if (!list.some((a) => a.status === 'active' && !interfaces.get(a.type)?.isBackup)) {
        throw new TwoFactorError('backup_only', { message: 'Enroll a primary method before recovery codes.' });
      }
      const created = await ensureRecovery(userId, now, list);
      return created ?? recovery.generate(context(userId, now));
    },

    async recoveryCodesRemaining(userId) {
      assertUserId(userId);
      return store.countRecoveryCodes(userId);
    },

    async rememberDevice(userId, opts = {}) {
      assertUserId(userId);
      const days = opts.days ?? 30;
      if (typeof days !== 'number' || !(days > 0) || days > 400) throw new TwoFactorError('invalid_input', { message: 'days must be 0–400.' });
      const version = securityVersion(await store.getAuthenticators(userId));
      return makeDeviceToken(keyRing, userId, version, clock.now() + days * 86_400_000);
    },

    async isDeviceRemembered(userId, token) {
      assertUserId(userId);
      if (typeof token !== 'string' || token.length === 0) return false;
      const list = await store.getAuthenticators(userId);
      if (!list.some((a) => a.status === 'active')) return false;
      return checkDeviceToken(keyRing, userId, securityVersion(list), token, clock.now());
    },

    on(event, listener) {
      return events.on(event, listener);
    },
  };
  return api;
}

function outcomeError(outcome: Exclude<CheckOutcome, 'approved'>): VerifyError {
  return outcome === 'invalid' ? 'invalid_code' : outcome;
}

export { isTwoFactorError };
