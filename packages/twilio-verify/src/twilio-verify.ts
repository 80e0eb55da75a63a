import twilio from 'twilio';
import { TwoFactorError, systemClock, type Channel, type CheckStatus, type Clock, type StartedVerification, type Verifier, withTimeout } from '@twofa/core/adapter';
import { TwofaRequestClient } from './http-client.js';
import { normaliseLineType } from './line-type.js';
import { toTwoFactorError } from './twilio-errors.js';

export interface TwilioVerifyOptions {
  /** Verify service (VA…) from the Twilio console. */
  serviceSid: string;
  accountSid?: string;
  authToken?: string;
  /** A ready `twilio` client instead of accountSid/authToken (its own httpClient is kept). */
  client?: twilio.Twilio;
  /** Per provider call, in ms (default 10 000). */
  timeoutMs?: number;
  /** Channels to offer (default sms, call, whatsapp, email; enable them on the service too). */
  channels?: Channel[];
  /** Name shown in the message instead of the service's friendly name. */
  customFriendlyName?: string;
  /** Code validity set on the service, in seconds (Twilio's default is 600). */
  codeTtlSeconds?: number;
  /** Offer lookupLineType() through Twilio Lookup v2 (billed per lookup). Default true. */
  lookup?: boolean;
  /** For tests: rewrite Twilio origins, e.g. { 'https://verify.twilio.com': prism.url }. */
  baseUrls?: Record<string, string>;
  clock?: Clock;
}

const PROVIDER = 'twilio-verify';
const ALL_CHANNELS: Channel[] = ['sms', 'call', 'whatsapp', 'email'];

/** Twilio Verify check statuses → core CheckStatus. */
function checkStatus(status: string | undefined): CheckStatus {
  switch (status) {
    case 'approved':
      return 'approved';
    case 'pending':
      return 'pending';
    case 'canceled':
      return 'canceled';
    case 'max_attempts_reached':
      return 'max_attempts';
    default: // expired, deleted, failed
      return 'expired';
  }
}

function buildClient(options: TwilioVerifyOptions, timeoutMs: number): twilio.Twilio {
  if (options.client) return options.client;
  const { accountSid, authToken } = options;
  if (!accountSid || !authToken) {
    throw new TwoFactorError('config_invalid', { message: 'twilioVerify needs accountSid and authToken, or a ready client.' });
  }
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new TwoFactorError('config_invalid', { message: 'twilioVerify: accountSid must look like AC followed by 32 hex digits.' });
  }
  return twilio(accountSid, authToken, {
    httpClient: new TwofaRequestClient({ timeoutMs, ...(options.baseUrls ? { baseUrls: options.baseUrls } : {}) }),
  });
}

/** A Verifier on Twilio Verify v2; codes stay at Twilio. */
export function twilioVerify(options: TwilioVerifyOptions): Verifier {
  if (!options || !/^VA[0-9a-fA-F]{32}$/.test(options.serviceSid ?? '')) {
    throw new TwoFactorError('config_invalid', { message: 'twilioVerify: serviceSid must look like VA followed by 32 hex digits.' });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new TwoFactorError('config_invalid', { message: 'twilioVerify: timeoutMs must be positive.' });
  const client = buildClient(options, timeoutMs);
  const clock = options.clock ?? systemClock;
  const ttlMs = (options.codeTtlSeconds ?? 600) * 1000;
  const channels = options.channels ?? ALL_CHANNELS;
  const service = () => client.verify.v2.services(options.serviceSid);

  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(fn, timeoutMs, PROVIDER, action);
    } catch (e) {
      throw toTwoFactorError(e, PROVIDER, action);
    }
  };

  const verifier: Verifier = {
    name: PROVIDER,
    channels,

    async start({ to, channel, locale }): Promise<StartedVerification> {
      if (!channels.includes(channel)) throw new TwoFactorError('channel_unsupported', { provider: PROVIDER });
      const v = await call('start', () =>
        service().verifications.create({
          to,
          channel,
          ...(locale ? { locale } : {}),
          ...(options.customFriendlyName ? { customFriendlyName: options.customFriendlyName } : {}),
        }),
      );
      if (typeof v.sid !== 'string' || v.sid === '') {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: start returned no verification id.` });
      }
      return { id: v.sid, channel, expiresAt: clock.now() + ttlMs };
    },

    async check({ id, code }): Promise<CheckStatus> {
      try {
        const r = await call('check', () => service().verificationChecks.create({ verificationSid: id, code }));
        return checkStatus(r.status);
      } catch (e) {
        const err = e as TwoFactorError;
        // Approved, expired or canceled verifications are gone at Twilio (20404).
        if (err.code === 'verification_not_found') return 'expired';
        if (err.code === 'max_attempts') return 'max_attempts';
        // 60200 on a check means the code itself was malformed: an ordinary wrong guess.
        if (err.code === 'invalid_destination') return 'pending';
        throw err;
      }
    },

    async cancel(id): Promise<boolean> {
      try {
        const r = await call('cancel', () => service().verifications(id).update({ status: 'canceled' }));
        return r.status === 'canceled';
      } catch (e) {
        if ((e as TwoFactorError).code === 'verification_not_found') return false;
        throw e;
      }
    },
  };

  if (options.lookup ?? true) {
    verifier.lookupLineType = async (e164: string) => {
      try {
        const r = await call('lookup', () => client.lookups.v2.phoneNumbers(e164).fetch({ fields: 'line_type_intelligence' }));
        if (r.valid === false) return null;
        return normaliseLineType((r.lineTypeIntelligence as { type?: unknown } | null | undefined)?.type);
      } catch (e) {
        // Lookup answers 404 for numbers it does not know: "unknown", not a failure.
        if ((e as TwoFactorError).code === 'verification_not_found') return null;
        throw e;
      }
    };
  }
  return verifier;
}
