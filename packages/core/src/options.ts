import { systemClock, systemRandom, type Clock, type RandomSource } from './clock.js';
import { KeyRing } from './crypto.js';
import { TwoFactorError } from './errors.js';
import type { Logger } from './events.js';
import type { AnyMethod } from './methods/types.js';
import { resolvePolicy, type Policy } from './policy.js';
import { resolveRequirement, type ResolvedRequirement } from './requirement.js';
import type { Store } from './store.js';
import { guardStore } from './store-guard.js';
import type { TwoFactorOptions } from './api.js';
import { isPlainText, optionsObject } from './validate.js';

const PRODUCTION = () => typeof process !== 'undefined' && process.env?.NODE_ENV === 'production';

export function configMethods(list: unknown): Map<string, AnyMethod> {
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

export function configStore(store: unknown): Store {
  const ops = ['getAuthenticators', 'saveAuthenticator', 'updateAuthenticator', 'deleteAuthenticators', 'consume', 'hit', 'putRecord', 'takeRecord', 'listRecords'];
  if (store === null || typeof store !== 'object' || !ops.every((op) => typeof (store as Record<string, unknown>)[op] === 'function')) {
    throw new TwoFactorError('config_invalid', { message: 'store must be a Store: new MemoryStore(), redisStore(...), postgresStore(...).' });
  }
  return guardStore(store as Store);
}

/** Makes the manager, once per process: checks the options (throws `config_invalid`, `encryption_key_missing`) and returns the `TwoFactor` your app calls. */

/** The checked options: what the engine is built from. Every mistake is a TwoFactorError('config_invalid'). */
export interface Config {
  issuer: string;
  store: Store;
  keyRing: KeyRing;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  policy: Policy;
  required: ResolvedRequirement;
  methods: Map<string, AnyMethod>;
}

export function readOptions(options: TwoFactorOptions): Config {
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

  return { issuer, store, keyRing, clock, random, logger, policy, required, methods: configMethods(o.methods) };
}
