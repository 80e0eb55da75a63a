import { TwoFactorError, isNetworkError, parseRetryAfter, withTimeout, type ErrorCode } from '@twofa/core/adapter';

/**
 * What a failed Vonage call told us, read off whatever the official client threw: an HTTP
 * answer (VetchError carries the unread fetch Response), an SMS API per-message status
 * (SMSFailure carries the parsed body), or no answer at all.
 */
export interface VonageFailure {
  /** HTTP status, when an answer came back. */
  status?: number;
  /** The fragment of the problem `type` URL, e.g. 'conflict', 'invalid-params'. */
  kind?: string;
  /** Names in `invalid_parameters` (array, or object as in the spec's own example). */
  params: string[];
  /** Seconds, from Retry-After. */
  retryAfter?: number;
  /** SMS API per-message status ('1'…'33') of the first failed message. */
  smsStatus?: string;
  smsErrorText?: string;
}

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

/** Reads the failure; never rethrows. The body is read here, inside the caller's timeout. */
export async function readVonageFailure(e: unknown): Promise<VonageFailure> {
  const failed = (e as { getFailedMessages?: () => { status?: unknown; errorText?: unknown }[] }).getFailedMessages;
  if (typeof failed === 'function') {
    const first = failed.call(e)[0];
    return {
      params: [],
      smsStatus: String(first?.status ?? ''),
      ...(typeof first?.errorText === 'string' ? { smsErrorText: first.errorText } : {}),
    };
  }
  const res = (e as { response?: unknown }).response;
  if (!isResponse(res)) return { params: [] };
  let body: Record<string, unknown> = {};
  try {
    const text = res.text ? await res.text() : '';
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON (an HTML 502 page, say): the status still tells enough
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

/** HTTP answers → stable codes (the table in README.md and docs/vonage-verify.md). */
function codeFor(f: VonageFailure, action: string): ErrorCode {
  const s = f.status!;
  if (s === 429) return 'rate_limited';
  // Low balance: this account cannot send now, another provider can. Retryable, so failover moves on.
  if (s >= 500 || s === 402) return 'provider_unavailable';
  if (s === 404) return 'verification_not_found';
  if (s === 410) return 'max_attempts';
  if (s === 409 && action === 'start') return 'send_limit'; // a verification to that number is still in flight
  if (s === 422 && f.params.some((n) => n === 'to' || /(^|[.\]])to$/.test(n))) return 'invalid_destination';
  return 'provider_error';
}

/**
 * Turns a failure into a TwoFactorError. Vonage's own text is never copied (it can quote
 * the number) and no cause is attached (the client's errors hold the request, with the
 * Authorization header).
 */
export function vonageError(f: VonageFailure, provider: string, action: string): TwoFactorError {
  if (f.status === undefined) {
    return new TwoFactorError('provider_unavailable', { provider, message: `${provider}: ${action} failed: network error or timeout.` });
  }
  const code = codeFor(f, action);
  return new TwoFactorError(code, {
    provider,
    providerCode: f.kind ?? f.status,
    message: `${provider}: ${action} failed (HTTP ${f.status}${f.kind ? `, ${f.kind}` : ''}).`,
    ...(code === 'rate_limited' && f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}),
  });
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; failure: VonageFailure };

/**
 * Runs one Vonage call under a hard timeout and reads its failure, if any. A thrown
 * error that is neither an answer nor a network failure (a bug, a bad key) is rethrown
 * as provider_error rather than passed off as an outage.
 */
export async function attemptVonage<T>(provider: string, action: string, timeoutMs: number, fn: () => Promise<T>): Promise<Attempt<T>> {
  const run = async (): Promise<Attempt<T>> => {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      const failure = await readVonageFailure(e);
      if (failure.status === undefined && failure.smsStatus === undefined && !isNetworkError(e)) {
        throw new TwoFactorError('provider_error', { provider, message: `${provider}: ${action} failed before reaching Vonage.` });
      }
      return { ok: false, failure };
    }
  };
  return withTimeout(run, timeoutMs, provider, action);
}
