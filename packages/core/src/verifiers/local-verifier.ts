import { randomId, randomString } from '../crypto.js';
import { internal } from '../rate-limit.js';
import { systemClock, systemRandom, type Clock, type RandomSource } from '../clock.js';
import { TwoFactorError } from '../errors.js';
import type { Store } from '../store.js';
import type { Channel, CheckStatus, MessageSender, ProviderEnvironment, StartInput, StartedVerification, Verifier } from '../verifier.js';
import { messageTemplates, pickTemplate, type MessageTemplate } from './templates.js';

/** Options of `localVerifier()`. */
export interface LocalVerifierOptions {
  sender: MessageSender;
  /** Where code hashes live. Defaults to the TwoFactor manager's store when attached to one. */
  store?: Store;
  codeLength?: number;
  ttlSeconds?: number;
  /** Checks allowed per code, besides the manager's own attempt limits. */
  maxChecks?: number;
  templates?: Record<string, MessageTemplate>;
  /** Name in messages; defaults to the manager's issuer. */
  issuer?: string;
  clock?: Clock;
  random?: RandomSource;
}

export interface LocalVerifier extends Verifier {
  attach(env: ProviderEnvironment): void;
}

/** The verification's own record: alive while the code is, holding the key of the code's record. */
const MARKER = 'v';

/**
 * A Verifier that makes its own codes, keeps only their keyed hash in the Store and
 * sends them through any MessageSender (Twilio Messages, Vonage SMS, consoleSender()).
 */
export function localVerifier(options: LocalVerifierOptions): LocalVerifier {
  if (options === null || typeof options !== 'object') throw new TwoFactorError('config_invalid', { message: 'localVerifier needs options with a sender.' });
  const { sender } = options;
  if (!sender || typeof sender.send !== 'function' || !Array.isArray(sender.channels)) throw new TwoFactorError('config_invalid', { message: 'localVerifier needs a sender.' });
  const codeLength = options.codeLength ?? 6;
  const ttlSeconds = options.ttlSeconds ?? 600;
  const maxChecks = options.maxChecks ?? 5;
  if (options.templates !== undefined && (options.templates === null || typeof options.templates !== 'object')) {
    throw new TwoFactorError('config_invalid', { message: 'localVerifier.templates must be an object of locale → template function.' });
  }
  const templates = { ...messageTemplates, ...options.templates };
  const int = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (!int(codeLength, 4, 10)) throw new TwoFactorError('config_invalid', { message: 'localVerifier.codeLength must be 4–10.' });
  if (!int(ttlSeconds, 60, 3600)) throw new TwoFactorError('config_invalid', { message: 'localVerifier.ttlSeconds must be 60–3600.' });
  if (!int(maxChecks, 1, 20)) throw new TwoFactorError('config_invalid', { message: 'localVerifier.maxChecks must be 1–20.' });
  let env: Partial<ProviderEnvironment> = {};

  function ready() {
    const store = options.store ?? env.store;
    const keys = env.keys;
    if (!store || !keys) {
      throw new TwoFactorError('config_invalid', { message: 'localVerifier must be used inside createTwoFactor (or given a store and attached).' });
    }
    return { store, keys, clock: options.clock ?? env.clock ?? systemClock, random: options.random ?? env.random ?? systemRandom };
  }

  const partition = internal.localVerification;
  const issuerName = () => options.issuer ?? env.issuer ?? 'twofa';
  const minutes = Math.round(ttlSeconds / 60);

  async function cancel(id: string): Promise<boolean> {
    const { store, clock } = ready();
    const now = clock.now();
    const codeKey = await store.takeRecord(partition(id), MARKER, now);
    if (codeKey === null) return false;
    await store.takeRecord(partition(id), codeKey, now);
    return true;
  }

  return {
    name: `local(${sender.name})`,
    channels: sender.channels,

    attach(e) {
      env = e;
      sender.attach?.(e); // a failover() of senders follows the manager's clock too
    },

    async start(input: StartInput): Promise<StartedVerification> {
      const { store, keys, clock, random } = ready();
      if (!sender.channels.includes(input.channel)) throw new TwoFactorError('channel_unsupported', { provider: sender.name });
      const id = randomId(random);
      const code = randomString(random, '0123456789', codeLength);
      const now = clock.now();
      const expiresAt = now + ttlSeconds * 1000;
      const body = pickTemplate(templates, input.locale)({ code, issuer: issuerName(), minutes });
      // Store first: a send whose record failed to save would be a code nobody can check.
      // The code's record is named by its keyed hash, so a check needs no read first.
      const codeKey = `c:${keys.hash('local-code', `${id}\0${code}`)}`;
      await store.putRecord(partition(id), MARKER, codeKey, expiresAt, now);
      await store.putRecord(partition(id), codeKey, '1', expiresAt, now);
      try {
        await sender.send({ to: input.to, body, channel: input.channel as Channel, vars: { code, issuer: issuerName(), minutes, ...(input.locale ? { locale: input.locale } : {}) } });
      } catch (e) {
        await cancel(id).catch(() => false);
        throw e;
      }
      return { id, channel: input.channel, expiresAt };
    },

    /** One round trip: count the check, use the code's record if it exists, and tell expired from wrong. */
    async check({ id, code }): Promise<CheckStatus> {
      const { store, keys, clock } = ready();
      const now = clock.now();
      const rules = [{ key: 'checks', limit: maxChecks, windowSeconds: ttlSeconds }];
      // Newest key first; an older key only matters for codes sent just before a rotation.
      for (const hash of keys.hashes('local-code', `${id}\0${code}`)) {
        const gate = await store.hit(partition(id), rules, now, { load: { record: MARKER }, consume: { record: `c:${hash}` }, settle: { drop: [MARKER] } });
        if (gate.consumed) return 'approved';
        if (!gate.record) return 'expired';
        if (!gate.allowed) return 'max_attempts';
      }
      return 'pending';
    },

    cancel,
  };
}
