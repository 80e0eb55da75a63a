import { Vonage } from '@vonage/server-sdk';
import { TwoFactorError, type Channel, type MessageSender, type OutgoingMessage } from '@twofa/core/adapter';
import { attemptVonage, clientOptions, vonageError, type VonageFailure } from '@twofa/vonage-verify';
import { isGsm7 } from './gsm.js';
import { THROTTLED_RETRY_AFTER_SECONDS, smsStatusCode } from './sms-status.js';

export interface VonageSmsOptions {
  apiKey?: string;
  apiSecret?: string;
  /** A ready `Vonage` client instead of apiKey/apiSecret. */
  client?: Vonage;
  /** Sender: a Vonage number (E.164) or an alphanumeric sender id where the country allows it. */
  from: string;
  /** Per provider call, in ms (default 10 000). */
  timeoutMs?: number;
  /** For tests: the REST host, e.g. a local fake. */
  restHost?: string;
}

const PROVIDER = 'vonage-sms';
const PHONE = /^\+?[1-9]\d{6,14}$/;

function buildClient(o: VonageSmsOptions, timeoutMs: number): Vonage {
  if (o.client) return o.client;
  if (typeof o.apiKey !== 'string' || o.apiKey === '' || typeof o.apiSecret !== 'string' || o.apiSecret === '') {
    throw new TwoFactorError('config_invalid', { message: 'vonageSms needs apiKey and apiSecret, or a ready client.' });
  }
  return new Vonage({ apiKey: o.apiKey, apiSecret: o.apiSecret }, clientOptions({ timeoutMs, ...(o.restHost ? { restHost: o.restHost } : {}) }));
}

function smsError(f: VonageFailure): TwoFactorError {
  if (f.smsStatus === undefined) return vonageError(f, PROVIDER, 'send');
  const code = smsStatusCode(f.smsStatus, f.smsErrorText);
  return new TwoFactorError(code, {
    provider: PROVIDER,
    providerCode: f.smsStatus,
    message: `${PROVIDER}: send failed (status ${f.smsStatus}).`,
    ...(code === 'rate_limited' ? { retryAfter: THROTTLED_RETRY_AFTER_SECONDS } : {}),
  });
}

/**
 * A MessageSender on the Vonage SMS API, for localVerifier: twofa makes and checks the
 * code, Vonage only carries the text.
 */
export function vonageSms(options: VonageSmsOptions): MessageSender {
  if (!options || typeof options.from !== 'string' || options.from.trim() === '') {
    throw new TwoFactorError('config_invalid', { message: 'vonageSms needs from (a Vonage number or sender id).' });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new TwoFactorError('config_invalid', { message: 'vonageSms: timeoutMs must be positive.' });
  const client = buildClient(options, timeoutMs);
  const from = PHONE.test(options.from) ? options.from.replace(/^\+/, '') : options.from;
  const channels: Channel[] = ['sms'];

  return {
    name: PROVIDER,
    channels,
    async send(message: OutgoingMessage): Promise<{ id: string }> {
      if (message.channel !== 'sms') throw new TwoFactorError('channel_unsupported', { provider: PROVIDER });
      if (typeof message.to !== 'string' || !PHONE.test(message.to)) {
        throw new TwoFactorError('invalid_destination', { provider: PROVIDER, message: `${PROVIDER}: the destination is not an E.164 number.` });
      }
      const params = {
        to: message.to.replace(/^\+/, ''),
        from,
        text: message.body,
        // Outside GSM-7 (emoji, most non-Latin scripts) the text must go as UCS-2, or it arrives garbled.
        ...(isGsm7(message.body) ? {} : { type: 'unicode' }),
      };
      const r = await attemptVonage(PROVIDER, 'send', timeoutMs, () => client.sms.send(params as Parameters<Vonage['sms']['send']>[0]));
      if (!r.ok) throw smsError(r.failure);
      const id = r.value.messages?.[0]?.messageId;
      if (typeof id !== 'string' || id === '') {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: send returned no message id.` });
      }
      return { id };
    },
  };
}
