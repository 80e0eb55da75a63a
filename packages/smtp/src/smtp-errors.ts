import { TwoFactorError, isNetworkError, isTwoFactorError, type ErrorCode } from '@twofa/core/adapter';

/** The fields nodemailer sets on the errors it rejects with (see nodemailer's NodemailerError). */
interface MailerError {
  code?: unknown;
  command?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/** The commands we name in messages: a fixed list, so nothing the server said is echoed. */
const COMMANDS = ['CONN', 'EHLO', 'HELO', 'STARTTLS', 'AUTH', 'MAIL FROM', 'RCPT TO', 'DATA'];

/** nodemailer codes for "the session ended without an answer": worth another server or a later try. */
const NO_ANSWER = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROXY', 'EABORT']);

/** An SMTP failure read by `classifySmtpFailure()`: the twofa error code, and what happened. */
export interface SmtpFailure {
  code: ErrorCode;
  /** The SMTP reply code, or nodemailer's error code when there was no reply. */
  providerCode?: string | number;
  /** What happened, in our words: '550 5.1.1 on RCPT TO', 'ETIMEDOUT'. */
  detail: string;
}

/**
 * Classifies a nodemailer failure by its SMTP reply (RFC 5321 §4.2.1, RFC 3463 enhanced
 * codes) and the command it answered:
 *
 * - no reply (refused, reset, dropped, timed out, DNS) and every 4xx (421, 450, 451, 452,
 *   454) and 503 → provider_unavailable, retryable;
 * - 5xx to AUTH (535, 534, 530, 538) or to MAIL FROM (our sender refused) → provider_error;
 * - 554, or an enhanced code 5.7.x (policy, spam, blocklist) → blocked;
 * - other 5xx to RCPT TO (550, 551, 553, 501 …) → invalid_destination;
 * - anything else → provider_error.
 */
export function classifySmtpFailure(e: unknown): SmtpFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as MailerError;
  const reply = typeof err.responseCode === 'number' && err.responseCode >= 200 && err.responseCode <= 599 ? err.responseCode : undefined;
  const mailerCode = typeof err.code === 'string' && /^E[A-Z0-9]{2,20}$/.test(err.code) ? err.code : undefined;
  if (reply === undefined) {
    const retry = (mailerCode !== undefined && NO_ANSWER.has(mailerCode)) || isNetworkError(e);
    return { code: retry ? 'provider_unavailable' : 'provider_error', ...(mailerCode ? { providerCode: mailerCode } : {}), detail: mailerCode ?? 'no SMTP reply' };
  }
  const command = typeof err.command === 'string' ? COMMANDS.find((c) => (err.command as string).toUpperCase().startsWith(c)) : undefined;
  // The enhanced status code alone (digits and dots), never the rest of the text, which may quote the address.
  const enhanced = typeof err.response === 'string' ? /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/.exec(err.response)?.[1] : undefined;
  const detail = `${reply}${enhanced ? ` ${enhanced}` : ''}${command ? ` on ${command}` : ''}`;
  const failure = (code: ErrorCode): SmtpFailure => ({ code, providerCode: reply, detail });

  if (reply < 500 || reply === 503) return failure('provider_unavailable');
  if (command === 'AUTH' || [530, 534, 535, 538].includes(reply)) return failure('provider_error');
  if (command === 'MAIL FROM') return failure('provider_error');
  if (reply === 554 || enhanced?.startsWith('5.7.')) return failure('blocked');
  if (command === 'RCPT TO') return failure('invalid_destination');
  return failure('provider_error');
}

const WHAT: Partial<Record<ErrorCode, string>> = {
  provider_unavailable: 'the SMTP server could not take the message now',
  invalid_destination: 'the SMTP server refused the recipient',
  blocked: 'the SMTP server refused the message by policy',
  provider_error: 'the SMTP server refused the message',
};

/**
 * A TwoFactorError for a failed send. No cause is attached: nodemailer's message and
 * `response` quote the server, which often repeats the recipient's address.
 */
export function smtpError(e: unknown, provider: string): TwoFactorError {
  if (isTwoFactorError(e)) return e;
  const f = classifySmtpFailure(e);
  return new TwoFactorError(f.code, {
    provider,
    ...(f.providerCode !== undefined ? { providerCode: f.providerCode } : {}),
    message: `${provider}: ${WHAT[f.code] ?? 'send failed'} (${f.detail}).`,
  });
}
