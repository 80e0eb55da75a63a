import { randomId, randomString, safeEqual } from '../crypto.js';
import { systemClock, systemRandom, type Clock, type RandomSource } from '../clock.js';
import { TwoFactorError } from '../errors.js';
import type { Store } from '../store.js';
import type { Channel, CheckStatus, MessageSender, ProviderEnvironment, StartInput, StartedVerification, Verifier } from '../verifier.js';
import { messageTemplates, pickTemplate, type MessageTemplate } from './templates.js';

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

const RECORD = 'v';

/**
 * A Verifier that makes its own codes, keeps only their keyed hash in the Store and
 * sends them through any MessageSender (Twilio Messages, Vonage SMS, consoleSender()).
 */
export function localVerifier(options: LocalVerifierOptions): LocalVerifier {
  const { sender } = options;
  if (!sender || typeof sender.send !== 'function') throw new TwoFactorError('config_invalid', { message: 'localVerifier needs a sender.' });
  const codeLength = options.codeLength ?? 6;
  const ttlSeconds = options.ttlSeconds ?? 600;
  const maxChecks = options.maxChecks ?? 5;
  const templates = { ...messageTemplates, ...options.templates };
  if (!Number.isInteger(codeLength) || codeLength < 4 || codeLength > 10) {
    throw new TwoFactorError('config_invalid', { message: 'localVerifier.codeLength must be 4–10.' });
  }
  let env: Partial<ProviderEnvironment> = {};

  function ready() {
    const store = options.store ?? env.store;
    const keys = env.keys;
    if (!store || !keys) {
      throw new TwoFactorError('config_invalid', { message: 'localVerifier must be used inside createTwoFactor (or given a store and attached).' });
    }
    return { store, keys, clock: options.clock ?? env.clock ?? systemClock, random: options.random ?? env.random ?? systemRandom };
  }

  const partition = (id: string) => `lv:${id}`;

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
      const vars = { code, issuer: options.issuer ?? env.issuer ?? 'twofa', minutes: Math.round(ttlSeconds / 60) };
      const body = pickTemplate(templates, input.locale)(vars);
      // Store first: a send whose record failed to save would be a code nobody can check.
      await store.putRecord(partition(id), RECORD, JSON.stringify({ h: keys.hash('local-code', `${id}\0${code}`) }), expiresAt);
      try {
        // vars: for senders that render their own message (an email's subject and HTML part).
        await sender.send({ to: input.to, body, channel: input.channel as Channel, vars: { ...vars, ...(input.locale ? { locale: input.locale } : {}) } });
      } catch (e) {
        await store.takeRecord(partition(id), RECORD, now).catch(() => null);
        throw e;
      }
      return { id, channel: input.channel, expiresAt };
    },

    async check({ id, code }): Promise<CheckStatus> {
      const { store, keys, clock } = ready();
      const now = clock.now();
      const gate = await store.hit(partition(id), [{ key: 'checks', limit: maxChecks, windowSeconds: ttlSeconds }], now, { record: RECORD });
      if (!gate.record) return 'expired';
      if (!gate.allowed) return 'max_attempts';
      const stored = (JSON.parse(gate.record) as { h: string }).h;
      let match = false;
      for (const candidate of keys.hashes('local-code', `${id}\0${code}`)) match = safeEqual(candidate, stored) || match;
      if (!match) return 'pending';
      return (await store.takeRecord(partition(id), RECORD, now)) ? 'approved' : 'expired';
    },

    async cancel(id) {
      const { store, clock } = ready();
      return (await store.takeRecord(partition(id), RECORD, clock.now())) !== null;
    },
  };
}
