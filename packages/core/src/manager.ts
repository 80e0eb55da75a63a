import { systemClock, systemRandom, type Clock, type RandomSource } from './clock.js';
import { KeyRing, randomId } from './crypto.js';
import { devicesApi, type DevicesApi } from './devices.js';
import { TwoFactorError } from './errors.js';
import { Emitter, type EventName, type Listener, type Logger } from './events.js';
import type { PhoneMethod } from './methods/phone.js';
import type { RecoveryCodesMethod } from './methods/recovery-codes.js';
import type { TotpMethod } from './methods/totp.js';
import type { AnyMethod, ChallengeOptions, CheckOutcome, Confirmed, Method, MethodContext, OpenAuthenticator } from './methods/types.js';
import { Outcomes, type Failure, type VerifyError } from './outcomes.js';
import { resolvePolicy, type Policy, type PolicyInput } from './policy.js';
import { FOREVER_SECONDS, guardSend, keys, lockCounters, lockState, successResets, userAttemptRules, type LockState } from './rate-limit.js';
import { reencryptUser } from './reencrypt.js';
import { resolveRequirement, type Requirement, type RequirementOptions, type RequirementRecord } from './requirement.js';
import { makeProof, readProof } from './step-up.js';
import { Sealer, type ChallengeValue, type Opened } from './sealed.js';
import type { AuthenticatorRecord, RateRule, Settle, Store } from './store.js';
import { guardStore } from './store-guard.js';
import type { Channel } from './verifier.js';
import { assertId, assertMethodId, assertText, assertUserId, isPlainText, optionsObject } from './validate.js';

export type { VerifyError } from './outcomes.js';

/** The methods `TwoFactor` is typed for when you name no others. */
export type BuiltInMethods = readonly [TotpMethod, PhoneMethod, RecoveryCodesMethod];

/** Options of `createTwoFactor()`. */
export interface TwoFactorOptions<M extends readonly AnyMethod[] = readonly AnyMethod[]> {
  /** Shown in authenticator apps and messages, e.g. your product name. */
  issuer: string;
  /** Where all state lives: MemoryStore (one process), redisStore(), postgresStore(). */
  store: Store;
  /** 32-byte keys (64 hex chars or base64, optionally 'keyId:' first), newest first. */
  encryptionKeys?: readonly (string | undefined)[];
  /**
   * Run without encrypting secrets at rest. Development only: the keyed hashes (recovery
   * codes, device tokens) then use a public key, so they can be forged. Refused when
   * NODE_ENV is 'production'.
   */
  insecureNoEncryption?: boolean;
  /**
   * Whether secrets in the unbound v1 format of twofa 0.1 still open. 'accept' (the
   * default) keeps existing users working while they are re-encrypted; set 'refuse' once
   * the re-encrypt command has run (docs/security.md).
   */
  legacyCiphertexts?: 'accept' | 'refuse';
  /** The methods users may enroll: totp(), phone(...), recoveryCodes(), or your own. */
  methods: M;
  policy?: PolicyInput;
  /** Required 2FA: the grace period, and what an overdue user may do. */
  requirement?: RequirementOptions;
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
}

/** What `verify()` resolves to: `{ ok: true, method, authenticatorId }`, or a failure with `error`, `attemptsLeft` and `retryAt`. */
export type VerifyResult =
  | {
      ok: true;
      method: string;
      authenticatorId: string;
      /** Methods that can tell (WebAuthn): whether the user was verified (PIN, biometrics). */
      userVerified?: boolean;
      /** A signed proof of this second factor, for `isFresh()` before sensitive actions. */
      proof: string;
    }
  | Failure;

/** What `confirmEnrollment()` resolves to: the new authenticator (and, with the first primary one, the recovery codes to show once), or a failure. */
export type ConfirmResult = { ok: true; method: string; authenticatorId: string; recoveryCodes?: string[] } | Failure;

/** One of the user's authenticators, as `methods()` lists it. */
export interface AuthenticatorInfo {
  id: string;
  method: string;
  name?: string;
  /** 'pending' until confirmed; 'unreadable' when no configured key opens its secret (it cannot be used). */
  status: 'active' | 'pending' | 'unreadable';
  isBackup: boolean;
  /** Non-secret display data: `label` (TOTP), `phone` (masked number). */
  display: Record<string, string>;
  createdAt: number;
  confirmedAt?: number;
  lastUsedAt?: number;
  /** Recovery codes left (backup methods). */
  remaining?: number;
}

/** A configured method, as `availableMethods()` lists it. */
export interface MethodSummary {
  method: string;
  isBackup: boolean;
  needsChallenge: boolean;
  /** False when it cannot work as configured (e.g. phone without a verifier). */
  available: boolean;
  maxPerUser: number;
}

/** An open challenge, as `challenge()` returns it. Holds no code. */
export interface Challenge {
  /** Pass it back to `verify`. */
  id: string;
  method: string;
  /** The authenticator it is for (the phone the code went to), when it is one. */
  authenticatorId?: string;
  channel?: Channel;
  destination?: string;
  expiresAt: number;
  /** When a new code may be asked for (methods that send one). */
  resendAt?: number;
  /** Method-specific data, e.g. WebAuthn's `options`. */
  [extra: string]: unknown;
}

/** The answer: `code` for typed codes, `response` for objects (a WebAuthn assertion). */
export type VerifyInput =
  | { challengeId: string; code?: string; response?: unknown }
  | { method: string; code?: string; response?: unknown };

/** What `enroll` returns: the method's own output plus these. */
export type Enrollment<E extends object = object> = E & {
  /** The pending authenticator's id: confirm it with `confirmEnrollment(userId, id, code)`. */
  id: string;
  method: string;
  name?: string;
  /** Confirmable until, epoch ms. */
  expiresAt: number;
};

// The method with that id; any method when M does not name ids (a plain AnyMethod[]).
type MethodNamed<M extends readonly AnyMethod[], Id> = [Extract<M[number], { id: Id }>] extends [never] ? M[number] : Extract<M[number], { id: Id }>;
type EnrollInputOf<X> = X extends Method<string, infer I, object> ? I : never;
type EnrollmentOf<X> = X extends Method<string, never, infer E> ? E : object;

export interface TwoFactor<M extends readonly AnyMethod[] = BuiltInMethods> extends DevicesApi {
  readonly policy: Policy;
  /** Starts enrolling an authenticator; `name` is the user's name for it. Typed per method. */
  enroll<Id extends M[number]['id']>(
    userId: string,
    method: Id,
    input?: EnrollInputOf<MethodNamed<M, Id>> & { name?: string },
  ): Promise<Enrollment<EnrollmentOf<MethodNamed<M, Id>>>>;
  /** Confirms a pending enrollment with the code (or response) it asked for; the first primary brings recovery codes. */
  confirmEnrollment(userId: string, enrollmentId: string, answer: unknown): Promise<ConfirmResult>;
  /** The user's authenticators (active, pending, unreadable), by method order then age. */
  methods(userId: string): Promise<AuthenticatorInfo[]>;
  /** The configured methods, in order. */
  availableMethods(): MethodSummary[];
  /** Renames one of the user's authenticators. */
  rename(userId: string, authenticatorId: string, name: string): Promise<void>;
  /** Opens a challenge (sends a code for phone). Throws 'locked' / 'suspended' and sends nothing while the user is locked out. */
  challenge(userId: string, options?: ChallengeOptions & { method?: string; authenticatorId?: string }): Promise<Challenge>;
  /** Checks a code, against an open challenge (`{ challengeId, code }`) or a method (`{ method, code }`). A wrong code is a result, not an exception. */
  verify(userId: string, input: VerifyInput): Promise<VerifyResult>;
  /** Removes one authenticator; removing the last primary one removes the backups too. */
  remove(userId: string, authenticatorId: string): Promise<{ removed: string[] }>;
  /** Replaces the user's recovery codes with a new set, returned once: show it, never store it. */
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  /**
   * Takes over an authenticator enrolled with another library, active at once: a TOTP
   * secret (`data: { secret, algorithm?, digits?, period?, label? }`, and `lastUsedStep`
   * so a code already used there is refused here), or recovery codes (`method:
   * 'recovery'`, `data: { codes }`). See docs/migrating.md.
   */
  importAuthenticator(
    userId: string,
    input: { method: string; data: unknown; name?: string; lastUsedStep?: number; createdAt?: number },
  ): Promise<{ authenticatorId: string }>;
  /** Ends a lockout or suspension (e.g. after support checked who the user is). */
  unlock(userId: string): Promise<void>;
  /** Writes the user's secrets again with the newest key and the bound format. */
  reencrypt(userId: string): Promise<{ updated: number; unreadable: number }>;
  /**
   * Whether a `proof` from a successful verify lets a sensitive action go ahead: signed for
   * this user, no older than `maxAgeSeconds`, of one of `methods` (if given), and its
   * authenticator still enrolled.
   */
  isFresh(proof: unknown, options: { userId: string; maxAgeSeconds: number; methods?: string[] }): Promise<boolean>;
  /**
   * Required 2FA: pass whether your rules (a role, a flag) require 2FA of this user. twofa
   * keeps when the requirement started and answers where the user stands.
   */
  requirement(userId: string, options: { required: boolean }): Promise<Requirement>;
  /**
   * Support's reset for a user who lost every factor: removes every authenticator and
   * recovery code, clears counters and lockouts, forgets remembered devices and open
   * challenges, in one atomic store step; emits 'admin.reset' with who and why.
   */
  reset(userId: string, options: { actor: string; reason: string }): Promise<void>;
  /** Subscribes to an event; returns the function that unsubscribes. Events carry no secret. */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
}

const PRODUCTION = () => typeof process !== 'undefined' && process.env?.NODE_ENV === 'production';

function configMethods(list: unknown): Map<string, AnyMethod> {
  if (!Array.isArray(list) || list.length === 0) throw new TwoFactorError('config_invalid', { message: 'methods must be a non-empty array, e.g. [totp(), recoveryCodes()].' });
  const methods = new Map<string, AnyMethod>();
  for (const m of list as AnyMethod[]) {
    const ok =
      m !== null && typeof m === 'object' && typeof m.id === 'string' && /^[a-z][a-z0-9_-]{0,31}$/.test(m.id) &&
      (m.role === 'primary' || m.role === 'backup') && typeof m.check === 'function' && typeof m.challenge === 'function' &&
      typeof m.isAvailable === 'function' && (m.answer === 'code' || m.answer === 'object') &&
      Number.isInteger(m.maxPerUser) && m.maxPerUser >= 1 && typeof m.order === 'number';
    if (!ok) throw new TwoFactorError('config_invalid', { message: 'Each entry of methods must be a method such as totp() (see Method in @twofa/core/adapter).' });
    if (methods.has(m.id)) throw new TwoFactorError('config_invalid', { message: `Method '${m.id}' is listed twice.` });
    if (m.role === 'primary' && (typeof m.enroll !== 'function' || typeof m.confirm !== 'function')) {
      throw new TwoFactorError('config_invalid', { message: `Primary method '${m.id}' needs enroll and confirm.` });
    }
    methods.set(m.id, m);
  }
  if (![...methods.values()].some((m) => m.role === 'primary')) throw new TwoFactorError('config_invalid', { message: 'At least one primary method is needed.' });
  if ([...methods.values()].filter((m) => m.role === 'backup').length > 1) throw new TwoFactorError('config_invalid', { message: 'At most one backup method.' });
  return methods;
}

function configStore(store: unknown): Store {
  const ops = ['getAuthenticators', 'saveAuthenticator', 'updateAuthenticator', 'deleteAuthenticators', 'consume', 'hit', 'putRecord', 'takeRecord', 'listRecords'];
  if (store === null || typeof store !== 'object' || !ops.every((op) => typeof (store as Record<string, unknown>)[op] === 'function')) {
    throw new TwoFactorError('config_invalid', { message: 'store must be a Store: new MemoryStore(), redisStore(...), postgresStore(...).' });
  }
  return guardStore(store as Store);
}

/** Makes the manager, once per process: checks the options (throws `config_invalid`, `encryption_key_missing`) and returns the `TwoFactor` your app calls. */
export function createTwoFactor<const M extends readonly AnyMethod[] = BuiltInMethods>(options: TwoFactorOptions<M>): TwoFactor<M> {
  const o = optionsObject(options, 'createTwoFactor options', 'config_invalid');
  const { issuer } = o;
  if (!isPlainText(issuer, 100) || issuer.includes(':')) {
    throw new TwoFactorError('config_invalid', { message: 'issuer must be 1–100 printable characters (well-formed Unicode) without ":".' });
  }
  if (o.logger !== undefined && (o.logger === null || typeof o.logger.warn !== 'function')) throw new TwoFactorError('config_invalid', { message: 'logger must have a warn(message) function.' });
  if (o.clock !== undefined && (o.clock === null || typeof o.clock.now !== 'function')) throw new TwoFactorError('config_invalid', { message: 'clock must have a now() function.' });
  if (o.random !== undefined && typeof o.random !== 'function') throw new TwoFactorError('config_invalid', { message: 'random must be a function (n) => bytes.' });
  if (o.store === undefined) throw new TwoFactorError('config_invalid', { message: 'store is required: new MemoryStore() for one process, redisStore() or postgresStore() for more.' });
  const logger: Logger = o.logger ?? { warn: (m) => console.warn(m) };
  const clock = o.clock ?? systemClock;
  const random = o.random ?? systemRandom;
  const policy = resolvePolicy(o.policy);
  const store = configStore(o.store);
  const keyList = o.encryptionKeys ?? [];
  if (!Array.isArray(keyList)) throw new TwoFactorError('config_invalid', { message: 'encryptionKeys must be an array, newest key first.' });
  if (keyList.some((k) => k === undefined || k === '')) {
    throw new TwoFactorError('encryption_key_missing', { message: 'An entry of encryptionKeys is empty (is the environment variable set?).' });
  }
  if (keyList.length === 0 && !o.insecureNoEncryption) throw new TwoFactorError('encryption_key_missing');
  if (keyList.length === 0 && PRODUCTION()) {
    throw new TwoFactorError('config_invalid', { message: 'insecureNoEncryption is refused when NODE_ENV is production: give encryptionKeys.' });
  }
  const required = resolveRequirement(o.requirement);
  const legacy = o.legacyCiphertexts ?? 'accept';
  if (legacy !== 'accept' && legacy !== 'refuse') throw new TwoFactorError('config_invalid', { message: 'legacyCiphertexts must be "accept" or "refuse".' });
  const keyRing = new KeyRing(keyList as string[], random, legacy);
  if (!keyRing.encrypted) logger.warn('twofa: insecureNoEncryption is set: secrets are stored unencrypted and keyed hashes can be forged. Development only.');

  const methods = configMethods(o.methods);
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

  interface ContextExtras {
    settle?: Settle;
    /** The open challenge's record, used up by ctx.consume. */
    challengeKey?: string;
    replacePrevious?: () => Promise<number | undefined>;
  }

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

  /** Runs `fn` at most once (what a method calls before sending, or the manager after it); later calls get its answer. */
  function once<T>(fn: () => Promise<T>): { run: () => Promise<T>; done: () => boolean } {
    let result: Promise<T> | undefined;
    return {
      run: () => (result ??= fn()),
      done: () => result !== undefined,
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

  function throwIfLocked(lock: LockState): void {
    if (lock.state === 'locked') throw new TwoFactorError('locked', { retryAt: lock.until });
    if (lock.state === 'suspended') throw new TwoFactorError('suspended');
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

  const api: TwoFactor<M> = {
    policy,

    enroll: (async (userId: string, methodId: string, input?: Record<string, unknown>): Promise<Enrollment> => {
      assertUserId(userId);
      assertMethodId(methodId);
      const given = optionsObject(input, 'enroll input');
      if (given.name !== undefined) assertText(given.name, 'name', 64);
      const m = method(methodId);
      if (m.role !== 'primary' || !m.enroll) throw new TwoFactorError('backup_only', { message: 'Backup methods come with the first primary method.' });
      if (!m.isAvailable()) throw new TwoFactorError('method_unavailable');
      const now = clock.now();
      const { list, lock } = await readState(userId, now);
      throwIfLocked(lock('primary'));
      if (activeOf(list, m.id).length >= m.maxPerUser) throw new TwoFactorError('authenticator_limit');
      // One pending enrollment per method: a new one replaces it (and cancels its code).
      const stale = list.filter((a) => a.method === m.id && a.status === 'pending');
      const previous = once(async () => {
        let until: number | undefined;
        for (const o of openAll(stale)) {
          await abandonQuietly(m, userId, now, o.auth.config);
          if (o.exp !== undefined && o.exp > now) until = Math.max(until ?? 0, o.exp);
        }
        return until;
      });
      const existing = openAll(activeOf(list, m.id)).map((o) => o.auth);
      const start = await m.enroll(context(userId, now, { replacePrevious: previous.run }, m), given, existing);
      await previous.run();
      if (!(start.ttlSeconds > 0)) throw new TwoFactorError('config_invalid', { message: `Method '${m.id}' gave an enrollment without a lifetime.` });
      const id = randomId(random);
      const expiresAt = now + start.ttlSeconds * 1000;
      const name = given.name as string | undefined;
      await store.saveAuthenticator(
        {
          userId,
          id,
          method: m.id,
          status: 'pending',
          ...(name !== undefined ? { name } : {}),
          secret: sealer.sealConfig(userId, id, start.config, expiresAt),
          ...(start.display ? { display: start.display } : {}),
          createdAt: now,
        },
        stale.map((a) => a.id),
      );
      if (start.sent) {
        events.emit('verification.sent', { userId, method: m.id, authenticatorId: id, channel: start.sent.channel, ...(start.sent.destination ? { destination: start.sent.destination } : {}), purpose: 'enroll', at: now });
      }
      return { ...start.output, id, method: m.id, ...(name !== undefined ? { name } : {}), expiresAt };
    }) as TwoFactor<M>['enroll'],

    async confirmEnrollment(userId, enrollmentId, answer) {
      assertUserId(userId);
      assertId(enrollmentId, 'enrollmentId');
      if (typeof answer !== 'string' && (answer === null || typeof answer !== 'object')) throw new TwoFactorError('invalid_input', { message: 'The answer must be a code (string) or a response object.' });
      const now = clock.now();
      const rules: RateRule[] = [
        { key: keys.enrollAttempts(enrollmentId), limit: policy.maxAttempts, windowSeconds: policy.lockoutSeconds },
        ...userAttemptRules(policy, 'primary'),
      ];
      const gate = await store.hit(userId, rules, now, { load: { authenticators: true } });
      const list = gate.authenticators ?? [];
      const pending = list.find((a) => a.id === enrollmentId && a.status === 'pending');
      const m = pending ? methods.get(pending.method) : undefined;
      const fail = (error: VerifyError) => outcomes.failure({ userId, purpose: 'enroll', method: m?.id, error, rules, gate, now });
      if (!gate.allowed) return fail(outcomes.refused(rules, gate.counts));
      if (!pending || !m?.confirm) throw new TwoFactorError('no_pending_enrollment');
      checkAnswer(m, answer);
      const opened = sealer.open(pending);
      if (!opened) throw new TwoFactorError('decrypt_failed');
      // A failed confirmation deletes nothing: a parallel call with the right code may have
      // just activated this very record. A dead pending record goes with the next enroll().
      if (opened.exp !== undefined && opened.exp <= now) return fail('expired');
      const confirmed: CheckOutcome | Confirmed = await m.confirm(context(userId, now, { settle: { reset: successResets } }, m), opened.auth, answer);
      const outcome = typeof confirmed === 'string' ? confirmed : confirmed.outcome;
      if (outcome !== 'approved') return fail(outcomes.error(outcome));
      const learned: Partial<Confirmed> = typeof confirmed === 'string' ? {} : confirmed;
      const display = learned.display ?? pending.display;
      const activated: AuthenticatorRecord = {
        ...pending,
        status: 'active',
        secret: sealer.sealConfig(userId, pending.id, learned.config ?? opened.auth.config),
        ...(display ? { display } : {}),
        confirmedAt: now,
        lastUsedAt: now,
      };
      // Compare and set: a pending record removed meanwhile stays removed.
      if (!(await store.updateAuthenticator(activated, pending.secret))) return fail('expired');
      await store.resetCounters(userId, [keys.enrollAttempts(enrollmentId)]);
      outcomes.succeeded({ userId, method: m.id, authenticatorId: pending.id, purpose: 'enroll', rules, gate, now });
      events.emit('authenticator.enrolled', { userId, method: m.id, authenticatorId: pending.id, at: now });
      const recoveryCodes = await ensureBackup(userId, now, list, { once: true });
      return { ok: true, method: m.id, authenticatorId: pending.id, ...(recoveryCodes ? { recoveryCodes } : {}) };
    },

    async methods(userId) {
      assertUserId(userId);
      const now = clock.now();
      const out: (AuthenticatorInfo & { order: number })[] = [];
      for (const a of await store.getAuthenticators(userId)) {
        const m = methods.get(a.method);
        if (!m) continue; // a method no longer configured
        const opened = sealer.open(a);
        if (opened && a.status === 'pending' && opened.exp !== undefined && opened.exp <= now) continue;
        const info: AuthenticatorInfo & { order: number } = {
          id: a.id,
          method: a.method,
          order: m.order,
          ...(a.name !== undefined ? { name: a.name } : {}),
          status: opened ? a.status : 'unreadable',
          isBackup: m.role === 'backup',
          display: a.display ?? {},
          createdAt: a.createdAt,
          ...(a.confirmedAt !== undefined ? { confirmedAt: a.confirmedAt } : {}),
          ...(a.lastUsedAt !== undefined ? { lastUsedAt: a.lastUsedAt } : {}),
        };
        if (opened && a.status === 'active' && m.describe) {
          const d = await m.describe(context(userId, now), a);
          if (d.remaining !== undefined) info.remaining = d.remaining;
          if (d.lastUsedAt !== undefined && (info.lastUsedAt ?? 0) < d.lastUsedAt) info.lastUsedAt = d.lastUsedAt;
        }
        out.push(info);
      }
      return out.sort((a, b) => a.order - b.order || a.createdAt - b.createdAt).map(({ order: _order, ...info }) => info);
    },

    availableMethods() {
      return ordered.map((m) => ({ method: m.id, isBackup: m.role === 'backup', needsChallenge: m.needsChallenge, available: m.isAvailable(), maxPerUser: m.maxPerUser }));
    },

    async rename(userId, authenticatorId, name) {
      assertUserId(userId);
      assertId(authenticatorId, 'authenticatorId');
      assertText(name, 'name', 64);
      const a = (await store.getAuthenticators(userId)).find((x) => x.id === authenticatorId);
      if (!a) throw new TwoFactorError('not_enrolled', { message: 'The user has no such authenticator.' });
      if (!(await store.updateAuthenticator({ ...a, name }, a.secret))) throw new TwoFactorError('not_enrolled', { message: 'The authenticator changed meanwhile; try again.' });
    },

    async challenge(userId, opts) {
      assertUserId(userId);
      const o = optionsObject(opts, 'challenge options');
      if (o.method !== undefined) assertMethodId(o.method);
      if (o.authenticatorId !== undefined) assertId(o.authenticatorId, 'authenticatorId');
      const now = clock.now();
      const { list, lock } = await readState(userId, now);
      const usable = list.filter((a) => a.status === 'active' && methods.get(a.method)?.isAvailable());
      let m: AnyMethod;
      let candidates: AuthenticatorRecord[];
      if (o.authenticatorId !== undefined) {
        const a = usable.find((x) => x.id === o.authenticatorId);
        if (!a) throw new TwoFactorError('not_enrolled', { message: 'The user has no such active authenticator.' });
        if (o.method !== undefined && o.method !== a.method) throw new TwoFactorError('invalid_input', { message: 'authenticatorId belongs to another method.' });
        m = method(a.method);
        candidates = [a];
      } else if (o.method !== undefined) {
        m = method(o.method);
        if (!m.isAvailable()) throw new TwoFactorError('method_unavailable');
        candidates = activeOf(usable, m.id);
        if (candidates.length === 0) throw new TwoFactorError('not_enrolled', { message: `The user has no active '${m.id}' authenticator.` });
      } else {
        // The first primary method the user has, else a backup.
        const pick = ordered.find((x) => x.role === 'primary' && activeOf(usable, x.id).length > 0) ?? ordered.find((x) => activeOf(usable, x.id).length > 0);
        if (!pick) throw new TwoFactorError('not_enrolled', { message: 'The user has no second factor enrolled.' });
        m = pick;
        candidates = activeOf(usable, m.id);
      }
      throwIfLocked(lock(m.role));
      const opened = openAll(candidates);
      if (opened.length === 0) throw new TwoFactorError('decrypt_failed');
      const chKey = keys.challenge(m.id);
      const previous = once(async () => {
        const prev = await store.takeRecord(userId, chKey, now);
        const value = prev ? tryOpenChallenge(userId, prev) : undefined;
        if (value) await abandonQuietly(m, userId, now, value.state);
        return value?.expiresAt;
      });
      const start = await m.challenge(context(userId, now, { replacePrevious: previous.run }, m), opened.map((x) => x.auth), { ...(o.channel !== undefined ? { channel: o.channel } : {}), ...(o.locale !== undefined ? { locale: o.locale } : {}) });
      const id = `${m.id}.${randomId(random)}`;
      const expiresAt = start.expiresAt ?? now + policy.challengeTtlSeconds * 1000;
      const value: ChallengeValue = { id, method: m.id, ...(start.authenticatorId ? { authenticatorId: start.authenticatorId } : {}), state: start.state, expiresAt };
      // One open challenge per method: this replaces the last, and its code is cancelled.
      const replaced = await store.putRecord(userId, chKey, sealer.sealChallenge(userId, value), expiresAt, now);
      if (replaced && !previous.done()) {
        const old = tryOpenChallenge(userId, replaced);
        if (old) await abandonQuietly(m, userId, now, old.state);
      }
      if (start.channel) {
        events.emit('verification.sent', { userId, method: m.id, ...(start.authenticatorId ? { authenticatorId: start.authenticatorId } : {}), channel: start.channel, ...(start.destination ? { destination: start.destination } : {}), purpose: 'challenge', at: now });
      }
      return {
        ...start.output,
        id,
        method: m.id,
        expiresAt,
        ...(start.authenticatorId ? { authenticatorId: start.authenticatorId } : {}),
        ...(start.channel ? { channel: start.channel, resendAt: now + policy.resendAfterSeconds * 1000 } : {}),
        ...(start.destination ? { destination: start.destination } : {}),
      };
    },

    async verify(userId, input) {
      assertUserId(userId);
      if (input === null || typeof input !== 'object') throw new TwoFactorError('invalid_input', { message: 'verify input must be an object.' });
      const answer = 'response' in input && input.response !== undefined ? input.response : input.code;
      if (answer === undefined) throw new TwoFactorError('invalid_input', { message: 'verify needs a code (or a response).' });
      const challengeId = 'challengeId' in input ? input.challengeId : undefined;
      let m: AnyMethod;
      if (challengeId !== undefined) {
        assertId(challengeId, 'challengeId');
        const named = methods.get(challengeId.slice(0, Math.max(0, challengeId.indexOf('.'))));
        // Not one of ours (or from before an upgrade): nothing to count or compare against.
        if (!named) return outcomes.failure({ userId, purpose: 'challenge', method: undefined, error: 'expired', rules: [], gate: { allowed: false, counts: [], resetAt: [] }, now: clock.now() });
        m = named;
      } else {
        const id = 'method' in input ? input.method : undefined;
        if (id === undefined) throw new TwoFactorError('invalid_input', { message: 'verify needs a challengeId or a method.' });
        assertMethodId(id);
        m = method(id);
        // Code-sending methods need their challenge: the code belongs to it.
        if (m.needsChallenge) throw new TwoFactorError('invalid_input', { message: `Verifying '${m.id}' needs the challengeId from challenge().` });
      }
      checkAnswer(m, answer);
      const now = clock.now();
      const chKey = challengeId !== undefined ? keys.challenge(m.id) : undefined;
      const rules: RateRule[] = [
        ...(challengeId !== undefined ? [{ key: keys.challengeAttempts(challengeId), limit: policy.maxAttempts, windowSeconds: policy.challengeTtlSeconds }] : []),
        ...userAttemptRules(policy, m.role),
      ];
      const settle: Settle = { reset: successResets, ...(chKey ? { drop: [chKey] } : {}) };

      // One round trip: count the attempt and use the code, when the code alone says what to use.
      if (!chKey && m.consumableFor) {
        const what = m.consumableFor(context(userId, now), answer);
        const gate = await store.hit(userId, rules, now, { load: { authenticators: true }, ...(what ? { consume: what, settle } : {}) });
        const auth = activeOf(gate.authenticators ?? [], m.id)[0];
        if (!gate.allowed) return outcomes.failure({ userId, purpose: 'challenge', method: m.id, error: outcomes.refused(rules, gate.counts), rules, gate, now });
        if (gate.consumed && auth) {
          outcomes.succeeded({ userId, method: m.id, authenticatorId: auth.id, purpose: 'challenge', rules, gate, now });
          return withProof(userId, { ok: true, method: m.id, authenticatorId: auth.id }, now);
        }
        if (!auth) throw new TwoFactorError('not_enrolled', { message: `The user has no active '${m.id}' authenticator.` });
        return outcomes.failure({ userId, purpose: 'challenge', method: m.id, error: 'invalid_code', rules, gate, now });
      }

      // Round trip 1: count the attempt (before any comparison) and load what the check needs.
      const gate = await store.hit(userId, rules, now, { load: { authenticators: true, ...(chKey ? { record: chKey } : {}) } });
      const fail = (error: VerifyError) => outcomes.failure({ userId, purpose: 'challenge', method: m.id, error, rules, gate, now });
      if (!gate.allowed) return fail(outcomes.refused(rules, gate.counts));
      let challenge: ChallengeValue | undefined;
      if (chKey) {
        challenge = gate.record ? sealer.openChallenge(userId, gate.record, challengeId) : undefined;
        if (!challenge || challenge.expiresAt <= now) return fail('expired');
      }
      const list = gate.authenticators ?? [];
      const records = challenge?.authenticatorId ? list.filter((a) => a.id === challenge.authenticatorId && a.status === 'active') : activeOf(list, m.id);
      if (records.length === 0) {
        if (challenge) return fail('expired'); // the authenticator was removed while the challenge was open
        throw new TwoFactorError('not_enrolled', { message: `The user has no active '${m.id}' authenticator.` });
      }
      const opened = openAll(records);
      if (opened.length === 0) throw new TwoFactorError('decrypt_failed');
      // Round trip 2 (on success): the method consumes its one-time thing and settles.
      const result = await m.check(context(userId, now, { settle, ...(chKey ? { challengeKey: chKey } : {}) }, m), opened.map((x) => x.auth), answer, challenge?.state);
      if (result.outcome === 'approved') {
        outcomes.succeeded({ userId, method: m.id, authenticatorId: result.authenticatorId, purpose: 'challenge', rules, gate, now });
        await refresh(opened.find((x) => x.auth.record.id === result.authenticatorId), now);
        return withProof(userId, { ok: true, method: m.id, authenticatorId: result.authenticatorId, ...(result.userVerified !== undefined ? { userVerified: result.userVerified } : {}) }, now);
      }
      // A challenge that cannot succeed any more is closed, and an exhausted one's code is
      // cancelled at the provider, so no live code outlives the attempts it was allowed.
      const exhausted = challengeId !== undefined && gate.counts[0]! >= rules[0]!.limit;
      if (chKey && challenge && (result.outcome !== 'invalid' || exhausted)) {
        const taken = await store.consume(userId, { record: chKey }, now);
        if (taken && result.outcome === 'invalid') await abandonQuietly(m, userId, now, challenge.state);
      }
      return fail(outcomes.error(result.outcome));
    },

    async remove(userId, authenticatorId) {
      assertUserId(userId);
      assertId(authenticatorId, 'authenticatorId');
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      const target = list.find((a) => a.id === authenticatorId);
      if (!target) return { removed: [] };
      const gone = [target];
      const primaryLeft = list.some((a) => a.id !== target.id && a.status === 'active' && roleOf(a) === 'primary');
      if (roleOf(target) !== 'backup' && !primaryLeft) gone.push(...list.filter((a) => roleOf(a) === 'backup'));
      for (const a of gone) {
        const m = methods.get(a.method);
        if (!m) continue;
        // What a method keeps elsewhere goes first, so a crash in between leaves a record without codes, never codes without a record.
        await m.remove?.(context(userId, now), a);
        if (roleOf(a) === 'backup') await store.resetCounters(userId, [keys.backupInit]); // the next first method gets a new set at once
        if (a.status === 'pending') {
          const o = sealer.open(a);
          if (o) await abandonQuietly(m, userId, now, o.auth.config);
        }
      }
      await store.deleteAuthenticators(userId, gone.map((a) => a.id));
      for (const a of gone) events.emit('authenticator.removed', { userId, method: a.method, authenticatorId: a.id, at: now });
      return { removed: gone.map((a) => a.id) };
    },

    async regenerateRecoveryCodes(userId) {
      assertUserId(userId);
      if (!backup?.provision) throw new TwoFactorError('unknown_method', { message: 'recoveryCodes() is not configured.' });
      const now = clock.now();
      const list = await store.getAuthenticators(userId);
      if (!list.some((a) => a.status === 'active' && roleOf(a) === 'primary')) {
        throw new TwoFactorError('backup_only', { message: 'Enroll a primary method before recovery codes.' });
      }
      return (await ensureBackup(userId, now, list)) ?? backup.provision(context(userId, now));
    },

    async importAuthenticator(userId, input) {
      assertUserId(userId);
      const i = optionsObject(input, 'importAuthenticator input');
      assertMethodId(i.method);
      const m = method(i.method);
      if (!m.adopt) throw new TwoFactorError('invalid_input', { message: `The ${m.id} method cannot import authenticators.` });
      if (i.name !== undefined) assertText(i.name, 'name', 64);
      const last = i.lastUsedStep;
      if (last !== undefined && (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0)) throw new TwoFactorError('invalid_input', { message: 'lastUsedStep must be a non-negative integer.' });
      const now = clock.now();
      const created = i.createdAt ?? now;
      if (typeof created !== 'number' || !Number.isFinite(created) || created > now) throw new TwoFactorError('invalid_input', { message: 'createdAt must be a time in the past, epoch ms.' });
      const list = await store.getAuthenticators(userId);
      const mine = activeOf(list, m.id);
      if (m.role === 'primary' && mine.length >= m.maxPerUser) throw new TwoFactorError('authenticator_limit');
      const adopted = await m.adopt(context(userId, now, {}, m), i.data);
      // A backup is one set per user: importing codes replaces the set and keeps its record.
      const set = m.role === 'backup' ? mine[0] : undefined;
      const id = set?.id ?? randomId(random);
      if (!set) {
        await store.saveAuthenticator({
          userId,
          id,
          method: m.id,
          status: 'active',
          ...(i.name !== undefined ? { name: i.name } : {}),
          secret: sealer.sealConfig(userId, id, adopted.config),
          ...(adopted.display ? { display: adopted.display } : {}),
          createdAt: created,
          confirmedAt: now,
        });
        if (last !== undefined) await store.consume(userId, { counter: { authenticatorId: id, value: last } }, now);
        events.emit('authenticator.enrolled', { userId, method: m.id, authenticatorId: id, at: now });
      }
      return { authenticatorId: id };
    },

    async unlock(userId) {
      assertUserId(userId);
      await store.resetCounters(userId, lockCounters);
      events.emit('user.unlocked', { userId, at: clock.now() });
    },

    async reencrypt(userId) {
      assertUserId(userId);
      return reencryptUser(store, keyRing, userId, (e) => logger.warn(e));
    },

    async isFresh(proof, opts) {
      const o = optionsObject(opts, 'isFresh options');
      assertUserId(o.userId);
      const maxAge = o.maxAgeSeconds;
      if (typeof maxAge !== 'number' || !(maxAge > 0) || maxAge > 86_400) throw new TwoFactorError('invalid_input', { message: 'maxAgeSeconds must be more than 0 and at most 86400.' });
      if (o.methods !== undefined && (!Array.isArray(o.methods) || !o.methods.every((x) => typeof x === 'string'))) {
        throw new TwoFactorError('invalid_input', { message: 'methods must be an array of method ids.' });
      }
      const p = readProof(keyRing, o.userId, proof);
      const now = clock.now();
      if (!p || p.verifiedAt > now || now - p.verifiedAt > maxAge * 1000) return false;
      if (o.methods && !o.methods.includes(p.method)) return false;
      // A proof from an authenticator removed since (or replaced) proves nothing any more.
      return (await store.getAuthenticators(o.userId)).some((a) => a.id === p.authenticatorId && a.method === p.method && a.status === 'active');
    },

    async requirement(userId, opts) {
      assertUserId(userId);
      const o = optionsObject(opts, 'requirement options');
      if (typeof o.required !== 'boolean') throw new TwoFactorError('invalid_input', { message: 'required must be true or false.' });
      const now = clock.now();
      const read = await store.hit(userId, [], now, { load: { authenticators: true, record: keys.requirement } });
      if (!o.required) {
        if (read.record) await store.takeRecord(userId, keys.requirement, now);
        return { state: 'not_required' };
      }
      if ((read.authenticators ?? []).some((a) => a.status === 'active' && roleOf(a) === 'primary')) return { state: 'enrolled' };
      let rec: RequirementRecord | undefined;
      try {
        rec = read.record ? (JSON.parse(read.record) as RequirementRecord) : undefined;
      } catch {
        rec = undefined;
      }
      const put = (r: RequirementRecord) => store.putRecord(userId, keys.requirement, JSON.stringify(r), now + FOREVER_SECONDS * 1000, now);
      if (!rec || typeof rec.since !== 'number') {
        rec = { since: now };
        await put(rec);
        events.emit('requirement.grace_started', { userId, until: now + required.graceMs, at: now });
      }
      const until = rec.since + required.graceMs;
      if (now < until) return { state: 'grace', since: rec.since, until };
      if (rec.overdueAt === undefined) {
        await put({ ...rec, overdueAt: now });
        events.emit('requirement.overdue', { userId, since: rec.since, at: now });
      }
      return { state: 'overdue', since: rec.since, until, mayEnroll: required.overdue === 'enroll' };
    },

    async reset(userId, opts) {
      assertUserId(userId);
      const o = optionsObject(opts, 'reset options');
      assertText(o.actor, 'actor', 200);
      assertText(o.reason, 'reason', 500);
      const now = clock.now();
      // Best effort first: cancel codes still open at a provider. Then one atomic purge.
      const [list, open] = await Promise.all([store.getAuthenticators(userId), store.listRecords(userId, keys.challengePrefix, now)]);
      for (const r of open) {
        const value = tryOpenChallenge(userId, r.value);
        const m = value && methods.get(value.method);
        if (m && value) await abandonQuietly(m, userId, now, value.state);
      }
      for (const a of list.filter((x) => x.status === 'pending')) {
        const m = methods.get(a.method);
        const opened = m && sealer.open(a);
        if (m && opened) await abandonQuietly(m, userId, now, opened.auth.config);
      }
      await store.purge(userId);
      events.emit('admin.reset', { userId, actor: o.actor, reason: o.reason, at: now });
    },

    ...devicesApi({ store, keyRing, clock, random }),

    on(event, listener) {
      return events.on(event, listener);
    },
  };

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

  return api;
}

export type { OpenAuthenticator };
