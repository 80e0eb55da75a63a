import { TwoFactorError, parseBaseUrls, parseRetryAfter } from '@twofa/core/adapter';
import twilio from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

/** How both Twilio adapters reach Twilio. */
export interface TwilioConnectionOptions {
  accountSid?: string;
  authToken?: string;
  /** A ready `twilio` client instead of accountSid/authToken (its own http client is kept). */
  client?: twilio.Twilio;
  /** Per provider call, in ms (default 10 000). */
  timeoutMs?: number;
  /**
   * For tests: send calls to another host, keyed by the Twilio origin (or any URL prefix)
   * they were for, e.g. `{ 'https://verify.twilio.com': prism.url }`. Only with accountSid/authToken.
   */
  baseUrls?: Record<string, string>;
}

/** Key under RestException.details where the 429 Retry-After seconds travel to the error mapper. */
export const RETRY_AFTER_DETAIL = 'twofaRetryAfter';

/**
 * The official RequestClient with a timeout, optional origin rewriting, the Retry-After
 * header carried into the error (the SDK's RestException drops headers), no auto-retry
 * (a 429 reaches failover at once), and never the SDK's debug logging.
 */
export class TwofaRequestClient extends twilio.RequestClient {
  private readonly rewrites: [string, string][];

  constructor(timeoutMs: number, baseUrls: Readonly<Record<string, string>> = {}) {
    super({ timeout: timeoutMs, autoRetry: false });
    this.rewrites = Object.entries(baseUrls);
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
    const { logLevel: _dropped, ...rest } = opts;
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

/** The client an adapter uses: the app's own, or one built on TwofaRequestClient. Bad options are config_invalid. */
export function twilioClient(o: TwilioConnectionOptions, timeoutMs: number, who: string): twilio.Twilio {
  const invalid = (message: string) => new TwoFactorError('config_invalid', { message: `${who}: ${message}` });
  if (o.client !== undefined) {
    if (typeof o.client !== 'object' || o.client === null) throw invalid('client must be a twilio client.');
    if (o.accountSid !== undefined || o.authToken !== undefined || o.baseUrls !== undefined) {
      throw invalid('give either client or accountSid/authToken (and baseUrls), not both.');
    }
    return o.client;
  }
  const { accountSid, authToken } = o;
  if (typeof accountSid !== 'string' || typeof authToken !== 'string' || authToken === '') {
    throw invalid('needs accountSid and authToken, or a ready client.');
  }
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw invalid('accountSid must look like AC followed by 32 hex digits.');
  return twilio(accountSid, authToken, { httpClient: new TwofaRequestClient(timeoutMs, parseBaseUrls(o.baseUrls, who)) });
}
