import { TwoFactorError, parseRetryAfter, type ErrorCode, type ProviderCall } from '@twofa/core/adapter';

/**
 * The one Vonage failure mapper, for both adapters: read what the client threw
 * (`readVonageFailure`, given to callProvider), let the adapter settle the answers a call
 * turns into a result (a check's 400 is a wrong guess), and map the rest (`vonageError`).
 * The tables are documented in docs/vonage-verify.md and docs/vonage-sms.md, whose error
 * tables a test holds to this file.
 */

/** A Vonage answer to a failed call. */
export interface VonageFailure {
  /** HTTP status (200 for an SMS the API refused per message). */
  status: number;
  /** The fragment of the problem `type` URL, e.g. 'conflict', 'invalid-params'. */
  kind?: string;
  /** Names in `invalid_parameters` (array, or object as in the spec's own example). */
  params: string[];
  /** Seconds, from Retry-After on a 429. */
  retryAfter?: number;
  /** SMS API per-message status ('1'…'33') of the first failed message. */
  smsStatus?: string;
  smsErrorText?: string;
}

/** Which Vonage API answered: each has its own codes. */
export type VonageApi = 'verify' | 'sms';

/** HTTP statuses with a meaning of their own, per API. Otherwise: 429, 5xx, other 4xx (see vonageError). */
export const VONAGE_STATUSES: Readonly<Record<VonageApi, Readonly<Record<number, ErrorCode>>>> = {
  verify: {
    // Low balance: this account cannot send now, another provider can. Retryable, so failover moves on.
    402: 'provider_unavailable',
    404: 'verification_not_found',
    410: 'max_attempts', // too many wrong codes: Vonage ended the workflow
  },
  sms: {},
};

/**
 * SMS API per-message status → twofa code. The API answers HTTP 200 and puts the outcome in
 * `messages[].status`; status 3 is `invalid_destination` only when it names `to`.
 */
export const VONAGE_SMS_STATUS: Readonly<Record<string, ErrorCode>> = {
  '1': 'rate_limited', // Throttled: over the account's messages per second
  '2': 'provider_error', // Missing parameter
  '3': 'provider_error', // Invalid parameter (→ invalid_destination when it is `to`)
  '4': 'provider_error', // Invalid credentials
  '5': 'provider_unavailable', // Internal error
  '6': 'invalid_destination', // Invalid message: unroutable
  '7': 'blocked', // Number barred
  '8': 'provider_error', // Partner account barred
  '9': 'provider_unavailable', // Partner quota violation: out of credit, another provider can still send
  '10': 'provider_unavailable', // Too many existing binds
  '11': 'provider_error', // Account not enabled for HTTP
  '12': 'provider_error', // Message too long
  '14': 'provider_error', // Invalid signature
  '15': 'provider_error', // Invalid sender address
  '22': 'provider_error', // Invalid network code
  '23': 'provider_error', // Invalid callback URL
  '29': 'blocked', // Non-whitelisted destination (trial accounts)
  '32': 'provider_error', // Signature and API secret disallowed
  '33': 'invalid_destination', // Number de-activated
};

/** SMS status 1 is a per-second throughput limit: a second later is worth a try. */
const THROTTLED_RETRY_AFTER_SECONDS = 1;

interface ResponseLike {
  status: number;
  headers?: { get(name: string): string | null };
  text?(): Promise<string>;
}

function isResponse(r: unknown): r is ResponseLike {
  return typeof r === 'object' && r !== null && typeof (r as { status?: unknown }).status === 'number';
}

function paramNames(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
  return items.map((i) => (i && typeof i === 'object' ? (i as { name?: unknown }).name : undefined)).filter((n): n is string => typeof n === 'string');
}

/**
 * Reads a Vonage answer out of what the client threw: an HTTP answer (VetchError carries the
 * unread fetch Response, whose body is read here, inside the caller's deadline) or an SMS
 * API per-message status (SMSFailure carries the parsed body). Undefined when no answer came back.
 */
export async function readVonageFailure(e: unknown): Promise<VonageFailure | undefined> {
  const failed = (e as { getFailedMessages?: () => { status?: unknown; errorText?: unknown }[] } | null)?.getFailedMessages;
  if (typeof failed === 'function') {
    const first = failed.call(e)[0];
    return {
      status: 200,
      params: [],
      smsStatus: String(first?.status ?? ''),
      ...(typeof first?.errorText === 'string' ? { smsErrorText: first.errorText } : {}),
    };
  }
  const res = (e as { response?: unknown } | null)?.response;
  if (!isResponse(res)) return undefined;
  let body: Record<string, unknown> = {};
  try {
    const text = res.text ? await res.text() : '';
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON (an HTML 502 page, say), or already consumed: the status still tells enough
  }
  const type = typeof body.type === 'string' ? body.type : '';
  const retryAfter = res.status === 429 ? parseRetryAfter(res.headers?.get('retry-after')) : undefined;
  return {
    status: res.status,
    ...(type.includes('#') ? { kind: type.slice(type.lastIndexOf('#') + 1) } : {}),
    params: paramNames(body.invalid_parameters),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
}

function codeFor(f: VonageFailure, api: VonageApi, action: string): ErrorCode {
  if (f.smsStatus !== undefined) {
    if (f.smsStatus === '3' && /\bto\b/i.test(f.smsErrorText ?? '')) return 'invalid_destination';
    return VONAGE_SMS_STATUS[f.smsStatus] ?? 'provider_error';
  }
  const s = f.status;
  // A 2xx the client could not read: the answer was cut off mid-body.
  if (s < 300) return 'provider_unavailable';
  if (s === 429) return 'rate_limited';
  if (s >= 500) return 'provider_unavailable';
  const listed = VONAGE_STATUSES[api][s];
  if (listed) return listed;
  if (api === 'verify' && s === 409 && action === 'start') return 'send_limit'; // a verification to that number is still in flight
  if (api === 'verify' && s === 422 && f.params.some((n) => n === 'to' || /(^|[.\]])to$/.test(n))) return 'invalid_destination';
  return 'provider_error';
}

/**
 * A Vonage answer as a TwoFactorError. Vonage's own text is never copied (it can quote the
 * number); `providerCode` is the SMS status, the problem type's fragment, or the HTTP status.
 */
export function vonageError(f: VonageFailure, api: VonageApi, call: Pick<ProviderCall, 'provider' | 'action'>): TwoFactorError {
  const code = codeFor(f, api, call.action);
  const what = f.smsStatus !== undefined ? `status ${f.smsStatus}` : `HTTP ${f.status}${f.kind ? `, ${f.kind}` : ''}`;
  const retryAfter = f.smsStatus === '1' ? THROTTLED_RETRY_AFTER_SECONDS : f.retryAfter;
  return new TwoFactorError(code, {
    provider: call.provider,
    providerCode: f.smsStatus ?? f.kind ?? f.status,
    message: `${call.provider}: ${call.action} failed (${what}).`,
    ...(code === 'rate_limited' && retryAfter !== undefined ? { retryAfter } : {}),
  });
}
