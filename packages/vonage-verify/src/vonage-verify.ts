import type { Vonage } from '@vonage/server-sdk';
import { TwoFactorError, systemClock, type Channel, type CheckStatus, type Clock, type StartedVerification, type Verifier } from '@twofa/core/adapter';
import { jwtClient } from './client.js';
import { vonageLocale } from './locale.js';
import { attemptVonage, vonageError } from './vonage-errors.js';

export interface VonageVerifyOptions {
  /** Vonage application id (Verify v2 authenticates with a JWT signed by its private key). */
  applicationId?: string;
  /** The application's private key: PEM text, a Buffer, or the path of the .key file. */
  privateKey?: string | Buffer;
  /** A ready `Vonage` client instead of applicationId/privateKey. */
  client?: Vonage;
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
  /** Per provider call, in ms (default 10 000). */
  timeoutMs?: number;
  /** For tests: the API host, e.g. a local fake or Prism. */
  apiHost?: string;
  clock?: Clock;
}

const PROVIDER = 'vonage-verify';
const ALL_CHANNELS: Channel[] = ['sms', 'call', 'whatsapp', 'email'];
const PHONE = /^\+?[1-9]\d{6,14}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Vonage request ids are UUIDs; anything else never reaches a URL path. */
const REQUEST_ID = /^[0-9a-fA-F-]{8,64}$/;

const VONAGE_CHANNEL: Record<Channel, string> = { sms: 'sms', call: 'voice', whatsapp: 'whatsapp', email: 'email' };

function config(o: VonageVerifyOptions) {
  const fail = (message: string) => new TwoFactorError('config_invalid', { message: `vonageVerify: ${message}` });
  if (!o || typeof o.brand !== 'string' || o.brand.trim() === '') throw fail('brand is required.');
  const channels = o.channels ?? ALL_CHANNELS;
  const fallback = o.fallback ?? [];
  for (const c of [...channels, ...fallback]) if (!(c in VONAGE_CHANNEL)) throw fail(`unknown channel '${String(c)}'.`);
  if (fallback.includes('email')) throw fail('email cannot be a fallback step (the destination is a phone number).');
  const codeLength = o.codeLength ?? 6;
  if (!Number.isInteger(codeLength) || codeLength < 4 || codeLength > 10) throw fail('codeLength must be an integer from 4 to 10.');
  const channelTimeout = o.channelTimeoutSeconds ?? 300;
  if (!Number.isInteger(channelTimeout) || channelTimeout < 60 || channelTimeout > 900) throw fail('channelTimeoutSeconds must be 60–900.');
  const timeoutMs = o.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw fail('timeoutMs must be positive.');
  if (o.whatsappFrom !== undefined && !PHONE.test(o.whatsappFrom)) throw fail('whatsappFrom must be an E.164 number.');
  if (o.emailFrom !== undefined && !EMAIL.test(o.emailFrom)) throw fail('emailFrom must be an email address.');
  return { channels, fallback, codeLength, channelTimeout, timeoutMs };
}

/** A Verifier on Vonage Verify v2; codes stay at Vonage. */
export function vonageVerify(options: VonageVerifyOptions): Verifier {
  const { channels, fallback, codeLength, channelTimeout, timeoutMs } = config(options);
  const client: Vonage = options.client ?? jwtClient({ ...options, timeoutMs }, 'vonageVerify');
  const clock = options.clock ?? systemClock;
  const attempt = <T>(action: string, fn: () => Promise<T>) => attemptVonage(PROVIDER, action, timeoutMs, fn);

  const step = (channel: Channel, to: string) => {
    const from = channel === 'whatsapp' ? options.whatsappFrom?.replace(/^\+/, '') : channel === 'email' ? options.emailFrom : undefined;
    return { channel: VONAGE_CHANNEL[channel], to, ...(from ? { from } : {}) };
  };

  return {
    name: PROVIDER,
    channels,

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
        brand: options.brand,
        workflow: steps.map((c) => step(c, dest)),
        codeLength,
        channelTimeout,
        ...(lang ? { locale: lang } : {}),
      };
      const r = await attempt('start', () => client.verify2.newRequest(params as Parameters<Vonage['verify2']['newRequest']>[0]));
      if (!r.ok) throw vonageError(r.failure, PROVIDER, 'start');
      if (typeof r.value.requestId !== 'string' || !REQUEST_ID.test(r.value.requestId)) {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: start returned no request id.` });
      }
      // The code stays valid until the last workflow step times out.
      return { id: r.value.requestId, channel, expiresAt: clock.now() + channelTimeout * steps.length * 1000 };
    },

    async check({ id, code }): Promise<CheckStatus> {
      if (!REQUEST_ID.test(id)) return 'expired';
      const r = await attempt('check', () => client.verify2.checkCode(id, code));
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
          throw vonageError(r.failure, PROVIDER, 'check');
      }
    },

    async cancel(id): Promise<boolean> {
      if (!REQUEST_ID.test(id)) return false;
      // Not verify2.cancel(): it turns every failure, an outage included, into `false`.
      // The same client's DELETE keeps the answer, so an outage stays a retryable error.
      const url = `${client.verify2.getConfig().apiHost}/v2/verify/${encodeURIComponent(id)}`;
      const r = await attempt('cancel', () => client.verify2.sendDeleteRequest(url));
      if (r.ok) return true;
      const s = r.failure.status;
      if (s === 404 || s === 409 || s === 410) return false; // gone, or past the point Vonage can cancel
      throw vonageError(r.failure, PROVIDER, 'cancel');
    },
  };
}
