import { TwoFactorError } from './errors.js';

/**
 * Helpers every provider adapter needs, whatever its SDK: a hard timeout on each call,
 * the Retry-After header read, and "did this request get an answer at all".
 */

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
export function isNetworkError(e: unknown, depth = 0): boolean {
  if (!(e instanceof Error) || depth > 3) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.name === 'FetchError') return true;
  if (e instanceof TypeError && e.message === 'fetch failed') return true;
  return isNetworkError((e as { cause?: unknown }).cause, depth + 1);
}
