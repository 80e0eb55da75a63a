import { randomBytes } from 'node:crypto';
import {
  createTwoFactor, email, localVerifier, MemoryStore, phone, recoveryCodes, totp,
  type Channel, type Clock, type EmailMethod, type PhoneMethod, type RecoveryCodesMethod, type Store, type TotpMethod, type TwoFactor, type Verifier,
} from '@twofa/core';
import { webauthn, type WebAuthnMethod } from '@twofa/webauthn';
import type { DemoConfig } from './config.js';
import { Outbox, type EmailRenderer } from './outbox.js';
import { providerFor, smtpSenderFor, storeFor } from './providers.js';

/** The manager with the demo's methods (security keys only when configured), so enroll() is typed for each of them. */
export type DemoTwoFactor = TwoFactor<readonly (WebAuthnMethod | TotpMethod | PhoneMethod | EmailMethod | RecoveryCodesMethod)[]>;

export interface BuiltTwoFactor {
  twofa: DemoTwoFactor;
  store: Store;
  /** Present with a console sender (development). */
  outbox?: Outbox;
  /** Lines worth printing at start (which store, which senders). */
  notes: string[];
  /** The phone channels offered: PHONE_CHANNELS that the provider can deliver. */
  channels: Channel[];
  /** Where security keys work (the WebAuthn origins); empty when they are off. */
  keyOrigins: string[];
  /** Closes what was opened besides the store (an SMTP connection pool). */
  close(): Promise<void>;
}

/** Your product's name: shown in authenticator apps, texts, emails and the recovery codes file. */
export const ISSUER = 'Acme';

/** The one place the demo configures twofa: this is the part to copy into your app. */
export async function buildTwoFactor(
  config: DemoConfig,
  clock: Clock,
  opts: { consoleWrite?: (line: string) => void; warn?: (line: string) => void; port?: number } = {},
): Promise<BuiltTwoFactor> {
  const notes: string[] = [];
  const store = config.store === 'memory' ? new MemoryStore() : await storeFor(config);
  notes.push(`store: ${config.store}`);

  // Development: one outbox for texts, calls and emails; emails read as the SMTP sender would write them.
  let outbox: Outbox | undefined;
  const consoleVerifier = async () => {
    outbox ??= new Outbox(clock, config.email === 'console' ? await emailRenderer() : undefined);
    return localVerifier({ sender: outbox.sender(opts.consoleWrite) });
  };

  let verifier: Verifier;
  if (config.sms === 'console') {
    verifier = await consoleVerifier();
    notes.push('sms: console sender (codes are printed here and listed in the outbox)');
  } else {
    const p = await providerFor(config);
    verifier = p.verifier ?? localVerifier({ sender: p.sender! });
    notes.push(`sms: ${config.sms}`);
  }

  let emailVerifier: Verifier | undefined;
  let smtp: { close(): void } | undefined;
  if (config.email === 'console') {
    emailVerifier = await consoleVerifier();
    notes.push('email: console sender (emails are printed here and listed in the outbox)');
  } else if (config.email === 'smtp') {
    const sender = await smtpSenderFor(config);
    smtp = sender;
    emailVerifier = localVerifier({ sender });
    notes.push(`email: smtp (${config.env.SMTP_HOST})`);
  }

  // Offer only what the provider can deliver (e.g. no voice calls through an SMS API).
  const channels = config.channels.filter((c) => verifier.channels.includes(c));
  if (channels.length === 0) throw new Error(`${verifier.name} cannot deliver over PHONE_CHANNELS=${config.channels.join(',')}.`);

  let keys = config.encryptionKeys;
  if (keys.length === 0) {
    keys = [randomBytes(32).toString('hex')]; // development with MemoryStore only (config.ts enforces it)
    notes.push('encryption key: a throwaway one for this run (set TWOFA_ENCRYPTION_KEYS to keep data)');
  }

  // Security keys and passkeys are bound to a host name (never an IP address): in development,
  // open the demo at http://localhost:<port> to use them.
  const passkeys = config.webauthn && { rpID: config.webauthn.rpID, origins: config.webauthn.origins ?? [`http://localhost:${opts.port ?? config.port}`] };
  if (passkeys) notes.push(`security keys: rpID ${passkeys.rpID}, origins ${passkeys.origins.join(' ')}`);

  // TWOFA_OTEL=console: the manager and the providers in spans, printed to the log.
  const tracer = config.otel === 'console' ? (await import('./telemetry.js')).consoleTracer(opts.consoleWrite ?? ((l) => console.log(l))) : undefined;
  const otel = tracer ? await import('@twofa/opentelemetry') : undefined;
  if (otel && tracer) {
    verifier = otel.instrumentVerifier(verifier, { tracer });
    if (emailVerifier) emailVerifier = otel.instrumentVerifier(emailVerifier, { tracer });
    notes.push('telemetry: OpenTelemetry spans printed here (TWOFA_OTEL=console)');
  }

  const made: DemoTwoFactor = createTwoFactor({
    issuer: ISSUER,
    store,
    clock,
    encryptionKeys: keys,
    methods: [
      ...(passkeys ? [webauthn(passkeys)] : []),
      totp(),
      phone({
        verifier,
        channels,
        numbers: {
          defaultRegion: config.defaultRegion,
          ...(config.allowedCountries.length ? { allowedCountries: config.allowedCountries } : {}),
        },
      }),
      // Without a verifier (TWOFA_EMAIL=off) the method is listed as unavailable and the page offers no email.
      email(emailVerifier ? { verifier: emailVerifier } : {}),
      recoveryCodes(),
    ],
    // The defaults, spelled out so they are easy to find and change.
    policy: { maxAttempts: 5, lockoutAfter: 5, lockoutSeconds: 600, hourlyMaxAttempts: 20, resendAfterSeconds: 180 },
    // Required 2FA (TWOFA_REQUIRED_EMAILS, or an admin's toggle): how long a required account may go without it.
    requirement: { graceSeconds: config.graceDays * 86_400 },
    ...(opts.warn ? { logger: { warn: opts.warn } } : {}),
  });
  const twofa = otel && tracer ? otel.instrumentTwoFactor(made, { tracer }) : made;
  return { twofa, store, ...(outbox ? { outbox } : {}), notes, channels, keyOrigins: passkeys?.origins ?? [], close: async () => smtp?.close() };
}

/** The outbox shows an email's subject and text as @twofa/smtp's English template writes them. */
async function emailRenderer(): Promise<EmailRenderer> {
  const { emailTemplates } = await import('@twofa/smtp');
  const t = emailTemplates.en!;
  return (m) => {
    const vars = { code: '', issuer: ISSUER, minutes: 0, ...m.vars, codeInSubject: false };
    return { subject: t.subject(vars), text: m.vars ? t.text(vars) : m.body };
  };
}
