import { parseRetryAfter } from '@twofa/core/adapter';
import twilio from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

export interface TwofaHttpClientOptions {
  /** Per-request timeout in ms (also the socket timeout). */
  timeoutMs: number;
  /**
   * Send requests for an origin elsewhere, e.g. `{ 'https://verify.twilio.com': 'http://127.0.0.1:4010' }`.
   * For tests against a local mock; leave empty in production.
   */
  baseUrls?: Record<string, string>;
}

/** Key under RestException.details where the 429 Retry-After seconds travel to the error mapper. */
export const RETRY_AFTER_DETAIL = 'twofaRetryAfter';

/**
 * The official RequestClient with a timeout, optional origin rewriting, and the
 * Retry-After header carried into the error (the SDK's RestException drops headers), and
 * never the SDK's debug logging.
 */
export class TwofaRequestClient extends twilio.RequestClient {
  private readonly rewrites: [string, string][];

  constructor(options: TwofaHttpClientOptions) {
    super({ timeout: options.timeoutMs, autoRetry: false });
    this.rewrites = Object.entries(options.baseUrls ?? {}).map(([from, to]) => [from.replace(/\/+$/, ''), to.replace(/\/+$/, '')]);
  }

  override async request<TData>(opts: BaseRequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    let uri = opts.uri;
    for (const [from, to] of this.rewrites) {
      if (uri === from || uri.startsWith(`${from}/`)) {
        uri = to + uri.slice(from.length);
        break;
      }
    }
    // logLevel is dropped: the SDK's debug log (client logLevel 'debug') prints URLs, and
    // Lookup URLs hold the full number.
    const { logLevel: _ignored, ...rest } = opts;
    const res = await super.request<TData>({ ...rest, uri });
    if (res.statusCode === 429) {
      const raw = (res.headers as Record<string, unknown> | undefined)?.['retry-after'];
      const seconds = parseRetryAfter(typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined);
      if (seconds !== undefined) {
        let body: unknown = res.body;
        if (typeof body === 'string') {
          try {
            body = JSON.parse(body);
          } catch {
            body = {};
          }
        }
        if (body && typeof body === 'object') {
          const b = body as { details?: Record<string, unknown> };
          b.details = { ...(b.details ?? {}), [RETRY_AFTER_DETAIL]: seconds };
          res.body = b as TData;
        }
      }
    }
    return res;
  }
}
