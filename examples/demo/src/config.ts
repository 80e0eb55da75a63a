import type { Channel } from '@twofa/core';

export type StoreKind = 'memory' | 'redis' | 'postgres';
export type SmsKind = 'console' | 'twilio-verify' | 'twilio-messages' | 'vonage-verify' | 'vonage-sms';
export type EmailKind = 'console' | 'smtp' | 'off';

/** Everything the demo reads from the environment (see .env.example). */
export interface DemoConfig {
  host: string;
  port: number;
  production: boolean;
  /** Secure + __Host- cookies. On in production; off for http://127.0.0.1 in development. */
  secureCookies: boolean;
  /** Newest first. Empty in development with MemoryStore: a throwaway key is made at start. */
  encryptionKeys: string[];
  store: StoreKind;
  redisUrl: string;
  databaseUrl: string;
  sms: SmsKind;
  channels: Channel[];
  defaultRegion: string;
  /** Empty: every country. */
  allowedCountries: string[];
  /** How emailed codes go out: the console sender (development), SMTP, or no email method. */
  email: EmailKind;
  /** Accounts that must use 2FA (lower-cased emails), besides those an admin marks. */
  requiredEmails: string[];
  /** How long a required account may go without 2FA. */
  graceDays: number;
  /** Accounts that may open /admin (lower-cased emails). */
  adminEmails: string[];
  /**
   * Security keys and passkeys: the RP ID and the origins the pages run on (by default
   * http://localhost:<the port listened on>). Off in production unless both are set.
   */
  webauthn?: { rpID: string; origins?: string[] };
  /** TWOFA_OTEL=console: every span of twofa's calls as one line in the log (OpenTelemetry, @twofa/opentelemetry). */
  otel: 'off' | 'console';
  /** Raw environment, for provider credentials (read only by providers.ts). */
  env: Record<string, string | undefined>;
}

const STORES: StoreKind[] = ['memory', 'redis', 'postgres'];
const SMS: SmsKind[] = ['console', 'twilio-verify', 'twilio-messages', 'vonage-verify', 'vonage-sms'];
const CHANNELS: Channel[] = ['sms', 'call', 'whatsapp'];
const EMAIL: EmailKind[] = ['console', 'smtp', 'off'];

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const emails = (v: string | undefined) => list(v).map((e) => e.toLowerCase());

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

/** Reads and checks the configuration; throws with a message naming the variable at fault. */
export function loadConfig(env: Record<string, string | undefined> = process.env): DemoConfig {
  const production = env.NODE_ENV === 'production';
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number.');
  const store = oneOf('TWOFA_STORE', env.TWOFA_STORE || 'memory', STORES);
  const sms = oneOf('TWOFA_SMS', env.TWOFA_SMS || 'console', SMS);
  const channels = list(env.PHONE_CHANNELS || 'sms,call').map((c) => oneOf('PHONE_CHANNELS', c, CHANNELS));
  const encryptionKeys = list(env.TWOFA_ENCRYPTION_KEYS);
  if (encryptionKeys.length === 0 && (production || store !== 'memory')) {
    // A throwaway key would make stored secrets unreadable after a restart.
    throw new Error('Set TWOFA_ENCRYPTION_KEYS (e.g. `openssl rand -hex 32`) when using a persistent store or NODE_ENV=production.');
  }
  if (production && sms === 'console') throw new Error('The console sender is for development only: set TWOFA_SMS to a provider.');
  // In production an unset TWOFA_EMAIL means no email method, rather than a refusal to start.
  const email = oneOf('TWOFA_EMAIL', env.TWOFA_EMAIL || (production ? 'off' : 'console'), EMAIL);
  if (production && email === 'console') throw new Error('The console sender is for development only: set TWOFA_EMAIL to smtp or off.');
  const rpID = env.WEBAUTHN_RP_ID || (production ? '' : 'localhost');
  const origins = list(env.WEBAUTHN_ORIGINS);
  if (production && rpID && origins.length === 0) throw new Error('WEBAUTHN_RP_ID needs WEBAUTHN_ORIGINS in production: the https origins your pages run on.');
  const graceDays = Number(env.TWOFA_GRACE_DAYS || 14);
  if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > 365) throw new Error('TWOFA_GRACE_DAYS must be a whole number of days, 0–365.');
  return {
    host: env.HOST || '127.0.0.1',
    port,
    production,
    secureCookies: env.COOKIE_SECURE ? env.COOKIE_SECURE === '1' : production,
    encryptionKeys,
    store,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    sms,
    channels,
    defaultRegion: env.PHONE_DEFAULT_REGION || 'US',
    allowedCountries: list(env.PHONE_ALLOWED_COUNTRIES),
    email,
    requiredEmails: emails(env.TWOFA_REQUIRED_EMAILS),
    graceDays,
    adminEmails: emails(env.TWOFA_ADMIN_EMAILS),
    ...(rpID ? { webauthn: { rpID, ...(origins.length ? { origins } : {}) } } : {}),
    otel: oneOf('TWOFA_OTEL', env.TWOFA_OTEL || 'off', ['off', 'console'] as const),
    env,
  };
}
