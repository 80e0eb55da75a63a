import { TwoFactorError } from './errors.js';
import type { Channel } from './verifier.js';

/**
 * Helpers every provider adapter needs, whatever its SDK: reading its options the same way
 * (timeout, test hosts, channels), a hard timeout on each call, the Retry-After header, and
 * "did this request get an answer at all".
 */

/** Which call this is, for its deadline and its error messages. */
export interface ProviderCall {
  /** The adapter's name, e.g. 'twilio-verify'. */
  provider: string;
  /** What it was doing, e.g. 'start', 'send'. */
  action: string;
  timeoutMs: number;
}

/** A provider call's outcome: its value, or the provider's answer to a failed call, as the adapter reads it. */
export type ProviderAnswer<T, F> = { ok: true; value: T } | { ok: false; failure: F };

/**
 * Rejects with provider_unavailable when the call takes longer than `ms`; a late failure is
 * swallowed. Pass the call as a function when you can: the deadline then starts before the
 * call does, so a timer of the same length inside the provider's SDK (which would report its
 * own, differently shaped failure) can never fire first.
 */
export async function withTimeout<T>(call: Promise<T> | (() => Promise<T>), ms: number, provider: string, action: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TwoFactorError('provider_unavailable', { provider, message: `${provider}: ${action} timed out after ${ms} ms.` })),
      ms,
    );
  });
  try {
    const p = typeof call === 'function' ? call() : call;
    p.catch(() => undefined); // a late failure after the timeout is not an unhandled rejection
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one provider call under `withTimeout` and, when it fails, reads the provider's
 * answer out of what the SDK threw with `readAnswer` (which may read a response body: it
 * runs inside the same deadline). `readAnswer` returns undefined when no answer came back;
 * the call then fails with provider_unavailable if the request never got one (refused, reset,
 * timed out: worth trying elsewhere) and provider_error otherwise (a bug or a bad key, which
 * failover must not retry at every provider). Past `timeoutMs` the call fails with a
 * retryable provider_unavailable, whatever the SDK is still doing.
 */
export async function callProvider<T, F>(
  call: ProviderCall,
  fn: () => Promise<T>,
  readAnswer: (thrown: unknown) => F | undefined | Promise<F | undefined>,
): Promise<ProviderAnswer<T, F>> {
  const { provider, action } = call;
  const run = async (): Promise<ProviderAnswer<T, F>> => {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      if (e instanceof TwoFactorError) throw e;
      const failure = await readAnswer(e);
      if (failure !== undefined) return { ok: false, failure };
      // The SDK's own text is never copied (it can quote the number), nor attached as cause
      // (SDK errors hold the request, with its Authorization header).
      throw isNetworkError(e)
        ? new TwoFactorError('provider_unavailable', { provider, message: `${provider}: ${action} failed: network error or timeout.` })
        : new TwoFactorError('provider_error', { provider, message: `${provider}: ${action} failed before the provider answered.` });
    }
  };
  return withTimeout(run, call.timeoutMs, provider, action);
}

/** Seconds from a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Node/undici error codes meaning "the request did not get an answer". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);

/** True when `e` (or its cause chain) says the request got no answer: refused, reset, timed out, DNS. */
export function isNetworkError(e: unknown): boolean {
  let cur = e;
  for (let depth = 0; depth <= 3 && cur instanceof Error; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (cur.name === 'AbortError' || cur.name === 'TimeoutError' || cur.name === 'FetchError') return true;
    if (cur instanceof TypeError && cur.message === 'fetch failed') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

// Reading an adapter's options the same way in every adapter. A bad value is a
// TwoFactorError('config_invalid') naming the factory (`who`) and the option, never quoting
// the value (it may be a credential).

const invalid = (who: string, message: string) => new TwoFactorError('config_invalid', { message: `${who}: ${message}` });

/** The factory's options argument: a plain object, or config_invalid. */
export function parseOptions<T extends object>(options: T, who: string): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid(who, 'options must be an object.');
  return options;
}

/** `timeoutMs`: undefined → `fallback`; otherwise a finite number of milliseconds above 0. */
export function parseTimeoutMs(value: unknown, fallback: number, who: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(who, 'timeoutMs must be a positive number of milliseconds.');
  return value;
}

/**
 * `baseUrls`, the test host override every shipped adapter takes: the provider's origin (or
 * any URL prefix of its calls) → where to send those calls instead, e.g.
 * `{ 'https://verify.twilio.com': 'http://127.0.0.1:4010' }`. Undefined → none. Keys and
 * values must be http(s) URLs; trailing slashes are dropped.
 */
export function parseBaseUrls(value: unknown, who: string): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(who, 'baseUrls must be an object of URL → URL.');
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(value as Record<string, unknown>)) {
    if (!isHttpUrl(from) || typeof to !== 'string' || !isHttpUrl(to)) throw invalid(who, 'baseUrls keys and values must be http(s) URLs.');
    out[from.replace(/\/+$/, '')] = to.replace(/\/+$/, '');
  }
  return out;
}

function isHttpUrl(s: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}

/** How `parseChannels()` reads an adapter's `channels` option. */
export interface ChannelListRule {
  /** Channels the adapter can serve. */
  allowed: readonly Channel[];
  /** What undefined means. */
  fallback: readonly Channel[];
  /** The option's name in messages (default 'channels'). */
  option?: string;
  /** Whether [] is accepted (default false: an adapter must offer some channel). */
  allowEmpty?: boolean;
}

/** A list of channels, e.g. `channels` or `fallback`: an array of allowed channels, repeats dropped. */
export function parseChannels(value: unknown, rule: ChannelListRule, who: string): Channel[] {
  const option = rule.option ?? 'channels';
  if (value === undefined) return [...rule.fallback];
  if (!Array.isArray(value)) throw invalid(who, `${option} must be an array of channels.`);
  if (value.length === 0 && !rule.allowEmpty) throw invalid(who, `${option} must list at least one channel.`);
  for (const c of value) {
    if (!rule.allowed.includes(c as Channel)) throw invalid(who, `${option} may only list ${rule.allowed.join(', ')}.`);
  }
  return [...new Set(value as Channel[])];
}
