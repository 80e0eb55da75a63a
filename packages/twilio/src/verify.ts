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
import { twilioClient, type TwilioConnectionOptions } from './client.js';
import { readTwilioFailure, twilioError, type TwilioFailure } from './errors.js';
import { normaliseLineType } from './line-type.js';

/** Options of `twilioVerify()`. */
export interface TwilioVerifyOptions extends TwilioConnectionOptions {
  /** Verify service (VA…) from the Twilio console. */
  serviceSid: string;
  /** Channels to offer (default sms, call, whatsapp, email; enable them on the service too). */
  channels?: Channel[];
  /** Name shown in the message instead of the service's friendly name. */
  customFriendlyName?: string;
  /** Code validity set on the service, in seconds (Twilio's default is 600). */
  codeTtlSeconds?: number;
  /** Offer lookupLineType() through Twilio Lookup v2 (billed per lookup). Default true. */
  lookup?: boolean;
}

const PROVIDER = 'twilio-verify';
const WHO = 'twilioVerify';
const ALL_CHANNELS: readonly Channel[] = ['sms', 'call', 'whatsapp', 'email'];

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

function config(options: TwilioVerifyOptions) {
  const o = parseOptions(options, WHO);
  const invalid = (message: string) => new TwoFactorError('config_invalid', { message: `${WHO}: ${message}` });
  if (typeof o.serviceSid !== 'string' || !/^VA[0-9a-fA-F]{32}$/.test(o.serviceSid)) throw invalid('serviceSid must look like VA followed by 32 hex digits.');
  if (o.customFriendlyName !== undefined && (typeof o.customFriendlyName !== 'string' || o.customFriendlyName.trim() === '')) {
    throw invalid('customFriendlyName must be a non-empty string.');
  }
  const ttlSeconds = o.codeTtlSeconds ?? 600;
  if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw invalid('codeTtlSeconds must be a positive whole number.');
  if (o.lookup !== undefined && typeof o.lookup !== 'boolean') throw invalid('lookup must be true or false.');
  const timeoutMs = parseTimeoutMs(o.timeoutMs, 10_000, WHO);
  return {
    serviceSid: o.serviceSid,
    timeoutMs,
    ttlMs: ttlSeconds * 1000,
    channels: parseChannels(o.channels, { allowed: ALL_CHANNELS, fallback: ALL_CHANNELS }, WHO),
    lookup: o.lookup ?? true,
    client: twilioClient(o, timeoutMs, WHO),
  };
}

/** A Verifier on Twilio Verify v2; codes stay at Twilio. */
export function twilioVerify(options: TwilioVerifyOptions): Verifier {
  const { serviceSid, timeoutMs, ttlMs, channels, lookup, client } = config(options);
  const friendlyName = options.customFriendlyName;
  // The manager's clock once attached (createTwoFactor), so expiresAt never mixes two clocks.
  let clock: Clock = systemClock;
  const service = () => client.verify.v2.services(serviceSid);
  const call = <T>(action: string, fn: () => Promise<T>) => callProvider({ provider: PROVIDER, action, timeoutMs }, fn, readTwilioFailure);
  const fail = (action: string, f: TwilioFailure) => twilioError(f, 'verify', { provider: PROVIDER, action });

  const verifier: Verifier = {
    name: PROVIDER,
    channels,

    attach(env) {
      clock = env.clock;
    },

    async start({ to, channel, locale }): Promise<StartedVerification> {
      if (!channels.includes(channel)) throw new TwoFactorError('channel_unsupported', { provider: PROVIDER });
      const r = await call('start', () =>
        service().verifications.create({ to, channel, ...(locale ? { locale } : {}), ...(friendlyName ? { customFriendlyName: friendlyName } : {}) }),
      );
      if (!r.ok) throw fail('start', r.failure);
      if (typeof r.value.sid !== 'string' || r.value.sid === '') {
        throw new TwoFactorError('provider_error', { provider: PROVIDER, message: `${PROVIDER}: start returned no verification id.` });
      }
      return { id: r.value.sid, channel, expiresAt: clock.now() + ttlMs };
    },

    async check({ id, code }): Promise<CheckStatus> {
      const r = await call('check', () => service().verificationChecks.create({ verificationSid: id, code }));
      if (r.ok) return checkStatus(r.value.status);
      switch (r.failure.code) {
        case 20404: // approved, expired or canceled verifications are gone at Twilio
          return 'expired';
        case 60202:
          return 'max_attempts';
        case 60200: // on a check, the code itself was malformed: an ordinary wrong guess
          return 'pending';
        default:
          throw fail('check', r.failure);
      }
    },

    async cancel(id): Promise<boolean> {
      const r = await call('cancel', () => service().verifications(id).update({ status: 'canceled' }));
      if (r.ok) return r.value.status === 'canceled';
      if (r.failure.code === 20404) return false;
      throw fail('cancel', r.failure);
    },
  };

  if (lookup) {
    verifier.lookupLineType = async (e164: string) => {
      const r = await call('lookup', () => client.lookups.v2.phoneNumbers(e164).fetch({ fields: 'line_type_intelligence' }));
      if (!r.ok) {
        // Lookup answers 404 for numbers it does not know: "unknown", not a failure.
        if (r.failure.code === 20404) return null;
        throw fail('lookup', r.failure);
      }
      if (r.value.valid === false) return null;
      return normaliseLineType((r.value.lineTypeIntelligence as { type?: unknown } | null | undefined)?.type);
    };
  }
  return verifier;
}
