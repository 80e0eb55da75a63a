import type { Vonage } from '@vonage/server-sdk';
import { TwoFactorError, callProvider, parseOptions, parseTimeoutMs, type MessageSender, type OutgoingMessage } from '@twofa/core/adapter';
import { vonageClient, type VonageConnectionOptions } from './client.js';
import { readVonageFailure, vonageError } from './errors.js';
import { isGsm7 } from './gsm.js';

/** Options of `vonageSms()`. */
export interface VonageSmsOptions extends VonageConnectionOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Sender: a Vonage number (E.164) or an alphanumeric sender id where the country allows it. */
  from: string;
}

const PROVIDER = 'vonage-sms';
const WHO = 'vonageSms';
const PHONE = /^\+?[1-9]\d{6,14}$/;

function config(options: VonageSmsOptions) {
  const o = parseOptions(options, WHO);
  if (typeof o.from !== 'string' || o.from.trim() === '') {
    throw new TwoFactorError('config_invalid', { message: `${WHO}: needs from (a Vonage number or sender id).` });
  }
  const timeoutMs = parseTimeoutMs(o.timeoutMs, 10_000, WHO);
  return {
    // A number goes without its '+'; a sender id as it is.
    from: PHONE.test(o.from) ? o.from.replace(/^\+/, '') : o.from,
    timeoutMs,
    client: vonageClient(o, 'basic', timeoutMs, WHO),
  };
}

/**
 * A MessageSender on the Vonage SMS API, for localVerifier: twofa makes and checks the
 * code, Vonage only carries the text.
 */
export function vonageSms(options: VonageSmsOptions): MessageSender {
  const { from, timeoutMs, client } = config(options);

  return {
    name: PROVIDER,
    channels: ['sms'],
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
      const r = await callProvider(
        { provider: PROVIDER, action: 'send', timeoutMs },
        () => client.sms.send(params as Parameters<Vonage['sms']['send']>[0]),
        readVonageFailure,
      );
      if (!r.ok) throw vonageError(r.failure, 'sms', { provider: PROVIDER, action: 'send' });
      const id = r.value.messages?.[0]?.messageId;
      if (typeof id !== 'string' || id === '') {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: send returned no message id.` });
      }
      return { id };
    },
  };
}
