import type { Vonage } from '@vonage/server-sdk';
import {
  TwoFactorError,
  callProvider,
  parseChannels,
  parseOptions,
  parseTimeoutMs,
  systemClock,
  type Channel,
  type CheckStatus,
  type Clock,
  type StartedVerification,
  type Verifier,
} from '@twofa/core/adapter';
import { vonageClient, type VonageConnectionOptions } from './client.js';
import { readVonageFailure, vonageError, type VonageFailure } from './errors.js';
import { vonageLocale } from './locale.js';

/** Options of `vonageVerify()`. */
export interface VonageVerifyOptions extends VonageConnectionOptions {
  /** Vonage application id (Verify v2 authenticates with a JWT signed by its private key). */
  applicationId?: string;
  /** The application's private key: PEM text, a Buffer, or the path of the .key file. */
  privateKey?: string | Buffer;
  /** Name in the message: "Your <brand> code is …". Required by Vonage for sms, voice and WhatsApp. */
  brand: string;
  /** Channels to offer (default sms, call, whatsapp, email). 'call' is Vonage's 'voice'. */
  channels?: Channel[];
  /**
   * Later workflow steps: if the code is not entered within `channelTimeoutSeconds`, Vonage
   * itself sends it again over the next of these (e.g. ['call'] after an SMS). Default none.
   */
  fallback?: Channel[];
  /** Digits in the code, 4–10 (default 6; Vonage's own default is 4). */
  codeLength?: number;
  /** Seconds each workflow step waits before the next one, 60–900 (default 300). */
  channelTimeoutSeconds?: number;
  /** WhatsApp Business number (E.164) to send from, when the WhatsApp channel is used. */
  whatsappFrom?: string;
  /** Address to send email codes from. */
  emailFrom?: string;
}

const PROVIDER = 'vonage-verify';
const ALL_CHANNELS: Channel[] = ['sms', 'call', 'whatsapp', 'email'];
const PHONE = /^\+?[1-9]\d{6,14}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Vonage request ids are UUIDs; anything else never reaches a URL path. */
const REQUEST_ID = /^[0-9a-fA-F-]{8,64}$/;

const VONAGE_CHANNEL: Record<Channel, string> = { sms: 'sms', call: 'voice', whatsapp: 'whatsapp', email: 'email' };

const WHO = 'vonageVerify';

function config(options: VonageVerifyOptions) {
  const o = parseOptions(options, WHO);
  const invalid = (message: string) => new TwoFactorError('config_invalid', { message: `${WHO}: ${message}` });
  if (typeof o.brand !== 'string' || o.brand.trim() === '') throw invalid('brand is required.');
  const channels = parseChannels(o.channels, { allowed: ALL_CHANNELS, fallback: ALL_CHANNELS }, WHO);
  // Not email: a fallback step goes to the same destination, a phone number.
  const fallback = parseChannels(o.fallback, { allowed: ['sms', 'call', 'whatsapp'], fallback: [], option: 'fallback', allowEmpty: true }, WHO);
  const codeLength = o.codeLength ?? 6;
  if (!Number.isInteger(codeLength) || codeLength < 4 || codeLength > 10) throw invalid('codeLength must be an integer from 4 to 10.');
  const channelTimeout = o.channelTimeoutSeconds ?? 300;
  if (!Number.isInteger(channelTimeout) || channelTimeout < 60 || channelTimeout > 900) throw invalid('channelTimeoutSeconds must be 60–900.');
  const { whatsappFrom, emailFrom } = o;
  if (whatsappFrom !== undefined && (typeof whatsappFrom !== 'string' || !PHONE.test(whatsappFrom))) throw invalid('whatsappFrom must be an E.164 number.');
  if (emailFrom !== undefined && (typeof emailFrom !== 'string' || !EMAIL.test(emailFrom))) throw invalid('emailFrom must be an email address.');
  const timeoutMs = parseTimeoutMs(o.timeoutMs, 10_000, WHO);
  return {
    brand: o.brand,
    channels,
    fallback,
    codeLength,
    channelTimeout,
    // Vonage wants the WhatsApp number without its '+'.
    from: { whatsapp: whatsappFrom?.replace(/^\+/, ''), email: emailFrom } as Partial<Record<Channel, string>>,
    timeoutMs,
    client: vonageClient(o, 'jwt', timeoutMs, WHO),
  };
}

/** A Verifier on Vonage Verify v2; codes stay at Vonage. */
export function vonageVerify(options: VonageVerifyOptions): Verifier {
  const { brand, channels, fallback, codeLength, channelTimeout, from, timeoutMs, client } = config(options);
  // The manager's clock once attached (createTwoFactor), so expiresAt never mixes two clocks.
  let clock: Clock = systemClock;
  const call = <T>(action: string, fn: () => Promise<T>) => callProvider({ provider: PROVIDER, action, timeoutMs }, fn, readVonageFailure);
  const fail = (action: string, f: VonageFailure) => vonageError(f, 'verify', { provider: PROVIDER, action });
  const step = (channel: Channel, to: string) => ({ channel: VONAGE_CHANNEL[channel], to, ...(from[channel] ? { from: from[channel] } : {}) });

  return {
    name: PROVIDER,
    channels,

    attach(env) {
      clock = env.clock;
    },

    async start({ to, channel, locale }): Promise<StartedVerification> {
      if (!channels.includes(channel)) throw new TwoFactorError('channel_unsupported', { provider: PROVIDER });
      const email = channel === 'email';
      if (typeof to !== 'string' || !(email ? EMAIL.test(to) : PHONE.test(to))) {
        throw new TwoFactorError('invalid_destination', { provider: PROVIDER, message: `${PROVIDER}: the destination is not ${email ? 'an email address' : 'an E.164 number'}.` });
      }
      // Vonage wants numbers without the '+'.
      const dest = email ? to : to.replace(/^\+/, '');
      const steps = email ? [channel] : [channel, ...fallback.filter((c) => c !== channel)];
      const lang = vonageLocale(locale);
      const params = {
        brand,
        workflow: steps.map((c) => step(c, dest)),
        codeLength,
        channelTimeout,
        ...(lang ? { locale: lang } : {}),
      };
      const r = await call('start', () => client.verify2.newRequest(params as Parameters<Vonage['verify2']['newRequest']>[0]));
      if (!r.ok) throw fail('start', r.failure);
      if (typeof r.value.requestId !== 'string' || !REQUEST_ID.test(r.value.requestId)) {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: start returned no request id.` });
      }
      // The code stays valid until the last workflow step times out.
      return { id: r.value.requestId, channel, expiresAt: clock.now() + channelTimeout * steps.length * 1000 };
    },

    async check({ id, code }): Promise<CheckStatus> {
      if (!REQUEST_ID.test(id)) return 'expired';
      const r = await call('check', () => client.verify2.checkCode(id, code));
      if (r.ok) {
        if (r.value === 'completed') return 'approved';
        // A 200 without 'completed' is not an approval: fail closed.
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: check answered without a 'completed' status.` });
      }
      switch (r.failure.status) {
        case 400: // invalid-code: a wrong guess; the request stays open
          return 'pending';
        case 404: // unknown, already verified or cancelled
          return 'expired';
        case 410: // too many wrong codes: Vonage ended the workflow
          return 'max_attempts';
        default:
          throw fail('check', r.failure);
      }
    },

    async cancel(id): Promise<boolean> {
      if (!REQUEST_ID.test(id)) return false;
      // Not verify2.cancel(): it turns every failure, an outage included, into `false`.
      // The same client's DELETE keeps the answer, so an outage stays a retryable error.
      const url = `${client.verify2.getConfig().apiHost}/v2/verify/${encodeURIComponent(id)}`;
      const r = await call('cancel', () => client.verify2.sendDeleteRequest(url));
      if (r.ok) return true;
      const s = r.failure.status;
      if (s === 404 || s === 409 || s === 410) return false; // gone, or past the point Vonage can cancel
      throw fail('cancel', r.failure);
    },
  };
}
