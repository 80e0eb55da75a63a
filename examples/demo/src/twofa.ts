import { randomBytes } from 'node:crypto';
import { createTwoFactor, localVerifier, MemoryStore, phone, recoveryCodes, totp, type Channel, type Clock, type Store, type TwoFactor, type Verifier } from '@twofa/core';
import type { DemoConfig } from './config.js';
import { Outbox } from './outbox.js';
import { providerFor, storeFor } from './providers.js';

export interface BuiltTwoFactor {
  twofa: TwoFactor;
  store: Store;
  /** Present with the console sender (development). */
  outbox?: Outbox;
  /** Lines worth printing at start (which store, which sender). */
  notes: string[];
  /** The phone channels offered: PHONE_CHANNELS that the provider can deliver. */
  channels: Channel[];
}

/** Your product's name: shown in authenticator apps, texts and the recovery codes file. */
export const ISSUER = 'Acme';

/** The one place the demo configures twofa: this is the part to copy into your app. */
export async function buildTwoFactor(
  config: DemoConfig,
  clock: Clock,
  opts: { consoleWrite?: (line: string) => void; warn?: (line: string) => void } = {},
): Promise<BuiltTwoFactor> {
  const notes: string[] = [];
  const store = config.store === 'memory' ? new MemoryStore() : await storeFor(config);
  notes.push(`store: ${config.store}`);

  let verifier: Verifier;
  let outbox: Outbox | undefined;
  if (config.sms === 'console') {
    outbox = new Outbox(clock);
    verifier = localVerifier({ sender: outbox.sender(opts.consoleWrite) });
    notes.push('sms: console sender (codes are printed here and listed in the outbox)');
  } else {
    const p = await providerFor(config);
    verifier = p.verifier ?? localVerifier({ sender: p.sender! });
    notes.push(`sms: ${config.sms}`);
  }

  // Offer only what the provider can deliver (e.g. no voice calls through an SMS API).
  const channels = config.channels.filter((c) => verifier.channels.includes(c));
  if (channels.length === 0) throw new Error(`${verifier.name} cannot deliver over PHONE_CHANNELS=${config.channels.join(',')}.`);

  let keys = config.encryptionKeys;
  if (keys.length === 0) {
    keys = [randomBytes(32).toString('hex')]; // development with MemoryStore only (config.ts enforces it)
    notes.push('encryption key: a throwaway one for this run (set TWOFA_ENCRYPTION_KEYS to keep data)');
  }

  const twofa = createTwoFactor({
    issuer: ISSUER,
    store,
    clock,
    encryptionKeys: keys,
    methods: [
      totp(),
      phone({
        verifier,
        channels,
        numbers: {
          defaultRegion: config.defaultRegion,
          ...(config.allowedCountries.length ? { allowedCountries: config.allowedCountries } : {}),
        },
      }),
      recoveryCodes(),
    ],
    // The defaults, spelled out so they are easy to find and change.
    policy: { maxAttempts: 5, lockoutAfter: 5, lockoutSeconds: 600, hourlyMaxAttempts: 20, resendAfterSeconds: 180 },
    ...(opts.warn ? { logger: { warn: opts.warn } } : {}),
  });
  return { twofa, store, ...(outbox ? { outbox } : {}), notes, channels };
}
