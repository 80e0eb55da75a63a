import twilio from 'twilio';
import { TwoFactorError, withTimeout, type Channel, type MessageSender, type OutgoingMessage } from '@twofa/core/adapter';
import { TwofaRequestClient, toTwoFactorError } from '@twofa/twilio-verify';

export interface TwilioMessagesOptions {
  accountSid?: string;
  authToken?: string;
  /** A ready `twilio` client instead of accountSid/authToken. */
  client?: twilio.Twilio;
  /** Sender number (E.164) or alphanumeric sender id. One of from / messagingServiceSid is required. */
  from?: string;
  /** Messaging service (MG…), which picks the sender from its pool. */
  messagingServiceSid?: string;
  /** Channels to offer: 'sms' (default) and 'whatsapp' (sent as `whatsapp:+…`). */
  channels?: Channel[];
  /** Per provider call, in ms (default 10 000). */
  timeoutMs?: number;
  /** For tests: rewrite Twilio origins, e.g. { 'https://api.twilio.com': prism.url }. */
  baseUrls?: Record<string, string>;
}

const PROVIDER = 'twilio-messages';

function buildClient(options: TwilioMessagesOptions, timeoutMs: number): twilio.Twilio {
  if (options.client) return options.client;
  const { accountSid, authToken } = options;
  if (!accountSid || !authToken) {
    throw new TwoFactorError('config_invalid', { message: 'twilioMessages needs accountSid and authToken, or a ready client.' });
  }
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new TwoFactorError('config_invalid', { message: 'twilioMessages: accountSid must look like AC followed by 32 hex digits.' });
  }
  return twilio(accountSid, authToken, {
    httpClient: new TwofaRequestClient({ timeoutMs, ...(options.baseUrls ? { baseUrls: options.baseUrls } : {}) }),
  });
}

const whatsapp = (address: string) => (address.startsWith('whatsapp:') ? address : `whatsapp:${address}`);

/**
 * A MessageSender on Twilio's Messages API (2010-04-01), for localVerifier: twofa makes
 * and checks the code, Twilio only carries the text.
 */
export function twilioMessages(options: TwilioMessagesOptions): MessageSender {
  if (!options || (!options.from && !options.messagingServiceSid)) {
    throw new TwoFactorError('config_invalid', { message: 'twilioMessages needs from or messagingServiceSid.' });
  }
  if (options.messagingServiceSid && !/^MG[0-9a-fA-F]{32}$/.test(options.messagingServiceSid)) {
    throw new TwoFactorError('config_invalid', { message: 'twilioMessages: messagingServiceSid must look like MG followed by 32 hex digits.' });
  }
  const channels = options.channels ?? ['sms'];
  const bad = channels.find((c) => c !== 'sms' && c !== 'whatsapp');
  if (bad) throw new TwoFactorError('config_invalid', { message: `twilioMessages cannot send over '${bad}'.` });
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new TwoFactorError('config_invalid', { message: 'twilioMessages: timeoutMs must be positive.' });
  const client = buildClient(options, timeoutMs);

  return {
    name: PROVIDER,
    channels,
    async send(message: OutgoingMessage): Promise<{ id: string }> {
      if (!channels.includes(message.channel)) throw new TwoFactorError('channel_unsupported', { provider: PROVIDER });
      const wa = message.channel === 'whatsapp';
      const params = {
        to: wa ? whatsapp(message.to) : message.to,
        body: message.body,
        ...(options.messagingServiceSid
          ? { messagingServiceSid: options.messagingServiceSid }
          : { from: wa ? whatsapp(options.from!) : options.from! }),
      };
      let sent: { sid?: string };
      try {
        sent = await withTimeout(() => client.messages.create(params), timeoutMs, PROVIDER, 'send');
      } catch (e) {
        throw toTwoFactorError(e, PROVIDER, 'send');
      }
      if (typeof sent.sid !== 'string' || sent.sid === '') {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: send returned no message id.` });
      }
      return { id: sent.sid };
    },
  };
}
