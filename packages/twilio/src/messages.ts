import { TwoFactorError, callProvider, parseChannels, parseOptions, parseTimeoutMs, type Channel, type MessageSender, type OutgoingMessage } from '@twofa/core/adapter';
import { twilioClient, type TwilioConnectionOptions } from './client.js';
import { readTwilioFailure, twilioError } from './errors.js';

/** Options of `twilioMessages()`. */
export interface TwilioMessagesOptions extends TwilioConnectionOptions {
  /** Sender number (E.164) or alphanumeric sender id. One of from / messagingServiceSid is required. */
  from?: string;
  /** Messaging service (MG…), which picks the sender from its pool; instead of `from`. */
  messagingServiceSid?: string;
  /** Channels to offer: 'sms' (default) and 'whatsapp' (sent as `whatsapp:+…`). */
  channels?: Channel[];
}

const PROVIDER = 'twilio-messages';
const WHO = 'twilioMessages';

function config(options: TwilioMessagesOptions) {
  const o = parseOptions(options, WHO);
  const invalid = (message: string) => new TwoFactorError('config_invalid', { message: `${WHO}: ${message}` });
  const { from, messagingServiceSid } = o;
  if (from !== undefined && (typeof from !== 'string' || from.trim() === '')) throw invalid('from must be a sender number or id.');
  if (messagingServiceSid !== undefined && (typeof messagingServiceSid !== 'string' || !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid))) {
    throw invalid('messagingServiceSid must look like MG followed by 32 hex digits.');
  }
  if ((from === undefined) === (messagingServiceSid === undefined)) throw invalid('needs from or messagingServiceSid (one of them).');
  const timeoutMs = parseTimeoutMs(o.timeoutMs, 10_000, WHO);
  return {
    sender: from !== undefined ? { from } : { messagingServiceSid: messagingServiceSid! },
    channels: parseChannels(o.channels, { allowed: ['sms', 'whatsapp'], fallback: ['sms'] }, WHO),
    timeoutMs,
    client: twilioClient(o, timeoutMs, WHO),
  };
}

const whatsapp = (address: string) => (address.startsWith('whatsapp:') ? address : `whatsapp:${address}`);

/**
 * A MessageSender on Twilio's Messages API (2010-04-01), for localVerifier: twofa makes
 * and checks the code, Twilio only carries the text.
 */
export function twilioMessages(options: TwilioMessagesOptions): MessageSender {
  const { sender, channels, timeoutMs, client } = config(options);

  return {
    name: PROVIDER,
    channels,
    async send(message: OutgoingMessage): Promise<{ id: string }> {
      if (!channels.includes(message.channel)) throw new TwoFactorError('channel_unsupported', { provider: PROVIDER });
      const wa = message.channel === 'whatsapp';
      const params = {
        to: wa ? whatsapp(message.to) : message.to,
        body: message.body,
        ...(sender.from !== undefined ? { from: wa ? whatsapp(sender.from) : sender.from } : sender),
      };
      const r = await callProvider({ provider: PROVIDER, action: 'send', timeoutMs }, () => client.messages.create(params), readTwilioFailure);
      if (!r.ok) throw twilioError(r.failure, 'messages', { provider: PROVIDER, action: 'send' });
      if (typeof r.value.sid !== 'string' || r.value.sid === '') {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: send returned no message id.` });
      }
      return { id: r.value.sid };
    },
  };
}
