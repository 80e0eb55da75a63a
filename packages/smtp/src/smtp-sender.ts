import nodemailer, { type SMTPPoolOptions, type SMTPTransportOptions, type SendMailOptions, type Transporter } from 'nodemailer';
import {
  TwoFactorError,
  parseEmailAddress,
  withTimeout,
  type Channel,
  type MessageSender,
  type OutgoingMessage,
  type ProviderEnvironment,
} from '@twofa/core/adapter';
import { smtpError } from './smtp-errors.js';
import { emailTemplates, escapeHtml, pickEmailTemplate, type EmailTemplate, type EmailVars } from './templates.js';

/** Options of `smtpSender()`. */
export interface SmtpSenderOptions {
  /**
   * How to reach the SMTP server: nodemailer's SMTP (or pool, with `pool: true`) options,
   * e.g. `{ host, port: 587, auth: { user, pass } }`, or a connection URL
   * (`smtps://user:pass@smtp.example.com`). One of `transport` / `transporter` is required.
   */
  transport?: SMTPTransportOptions | SMTPPoolOptions | string;
  /** A ready nodemailer transporter instead: `timeoutMs` then bounds each send, but its own socket timeouts stay as they are. */
  transporter?: Transporter;
  /** The sender: a bare address, or `{ name: 'Acme', address: 'no-reply@acme.example' }`. */
  from: string | { name?: string; address: string };
  /**
   * Limit in ms (default 10 000) on connecting, on the server's greeting, on each silence of
   * the socket, and on the whole send: a server that stalls after DATA fails at this limit.
   */
  timeoutMs?: number;
  /** Emails by language, merged over the built-in ones (en, fr, es, de); keys are BCP 47 tags. */
  templates?: Record<string, EmailTemplate>;
  /** Language when the message asks for none or for one with no template (default 'en'). */
  defaultLocale?: string;
  /**
   * Let the subject show the code (default false). Off, the built-in subjects leave it out, and
   * a template whose subject holds the code is refused (config_invalid), at start and at send.
   */
  codeInSubject?: boolean;
  /** Issuer for the subject of a message that comes without `vars` (default: the manager's issuer). */
  issuer?: string;
  /** Provider name in errors and failover events (default 'smtp'), e.g. 'smtp-primary'. */
  name?: string;
}

export interface SmtpSender extends MessageSender {
  attach(env: ProviderEnvironment): void;
  /** Closes the transporter this sender made (a pool's sockets); one passed in is left open. */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A code no template would print by chance, to test templates at start. */
const PROBE: EmailVars = { code: '904173', issuer: 'Probe', minutes: 10, codeInSubject: false };
/** Controls in a rendered subject (a template's bug or an issuer's) become spaces: one header line. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function configError(message: string): TwoFactorError {
  return new TwoFactorError('config_invalid', { message: `smtpSender: ${message}` });
}

function parseFrom(from: SmtpSenderOptions['from']): { name?: string; address: string } {
  const raw = typeof from === 'string' ? { address: from } : from;
  if (!raw || typeof raw.address !== 'string') throw configError('from needs an address.');
  let address: string;
  try {
    address = parseEmailAddress(raw.address).address;
  } catch {
    throw configError("from is not a bare email address (for a display name use { name: 'Acme', address }).");
  }
  if (raw.name === undefined) return { address };
  if (typeof raw.name !== 'string' || HAS_CONTROL.test(raw.name) || raw.name.length > 100) throw configError('from.name must be one line of text.');
  return { name: raw.name, address };
}

function buildTransporter(o: SmtpSenderOptions, timeoutMs: number): { transporter: Transporter; owned: boolean } {
  if (o.transporter) {
    if (typeof o.transporter.sendMail !== 'function') throw configError('transporter must be a nodemailer transporter.');
    return { transporter: o.transporter, owned: false };
  }
  if (o.transport === undefined || o.transport === null) throw configError('needs transport (nodemailer options or a URL) or a ready transporter.');
  const given = typeof o.transport === 'string' ? { url: o.transport } : o.transport;
  // Our limits unless the app set its own; nodemailer's defaults are 2 minutes to connect and 10 to idle.
  const options = { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, dnsTimeout: timeoutMs, ...given };
  return { transporter: nodemailer.createTransport(options as SMTPTransportOptions), owned: true };
}

/**
 * A MessageSender for the email channel over SMTP (nodemailer). With `vars` on the message
 * it renders its own email: a subject (without the code, by default), a text part and an
 * HTML part in the asked language. Without `vars` it sends `body` as the text part.
 */
export function smtpSender(options: SmtpSenderOptions): SmtpSender {
  if (!options || typeof options !== 'object') throw configError('needs options.');
  const name = options.name ?? 'smtp';
  if (typeof name !== 'string' || !/^[\w.:-]{1,64}$/.test(name)) throw configError('name must be 1–64 letters, digits, . : _ or -.');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw configError('timeoutMs must be a positive number.');
  const from = parseFrom(options.from);
  const codeInSubject = options.codeInSubject === true;

  const templates = new Map<string, EmailTemplate>();
  for (const [tag, t] of Object.entries({ ...emailTemplates, ...options.templates })) {
    if (!t || typeof t.subject !== 'function' || typeof t.text !== 'function' || typeof t.html !== 'function') {
      throw configError(`the template for '${tag}' needs subject, text and html functions.`);
    }
    if (!codeInSubject && t.subject(PROBE).includes(PROBE.code)) {
      throw configError(`the subject of the '${tag}' template shows the code; set codeInSubject: true to allow it.`);
    }
    templates.set(tag.toLowerCase(), t);
  }
  const defaultLocale = (options.defaultLocale ?? 'en').toLowerCase();
  if (!templates.has(defaultLocale)) throw configError('defaultLocale has no template.');

  const { transporter, owned } = buildTransporter(options, timeoutMs);
  let envIssuer: string | undefined;
  const channels: Channel[] = ['email'];

  function compose(message: OutgoingMessage): Pick<SendMailOptions, 'subject' | 'text' | 'html'> {
    const v = message.vars;
    if (!v) {
      // A sender handed only the text (e.g. by today's localVerifier): that text is the body.
      const issuer = options.issuer ?? envIssuer ?? 'twofa';
      const subject = pickEmailTemplate(templates, undefined, defaultLocale).subject({ code: '', issuer, minutes: 0, codeInSubject: false });
      return { subject: subject.replace(CONTROLS, ' '), text: message.body };
    }
    const vars: EmailVars = { code: String(v.code), issuer: String(v.issuer), minutes: Number(v.minutes), codeInSubject };
    const t = pickEmailTemplate(templates, v.locale, defaultLocale);
    const subject = t.subject(vars).replace(CONTROLS, ' ');
    if (!codeInSubject && vars.code !== '' && subject.includes(vars.code)) {
      throw new TwoFactorError('config_invalid', { provider: name, message: `${name}: the subject would show the code; set codeInSubject: true to allow it.` });
    }
    const escaped: EmailVars = { ...vars, code: escapeHtml(vars.code), issuer: escapeHtml(vars.issuer) };
    return { subject, text: t.text(vars), html: t.html(escaped) };
  }

  return {
    name,
    channels,

    attach(env) {
      envIssuer = env.issuer;
    },

    async send(message: OutgoingMessage): Promise<{ id: string }> {
      if (message.channel !== 'email') throw new TwoFactorError('channel_unsupported', { provider: name });
      let to: string;
      try {
        to = parseEmailAddress(message.to).address;
      } catch {
        throw new TwoFactorError('invalid_destination', { provider: name, message: `${name}: the destination is not a valid email address.` });
      }
      const mail: SendMailOptions = {
        from,
        to,
        ...compose(message),
        headers: {
          // RFC 3834: an automatic message; auto-responders (vacation replies) should not answer it.
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
        },
      };
      // The overall limit aborts the session too, so a stalled server does not keep a socket.
      const abort = new AbortController();
      try {
        const info = (await withTimeout(transporter.sendMail({ ...mail, signal: abort.signal }), timeoutMs, name, 'send')) as {
          messageId?: unknown;
        };
        const id = typeof info?.messageId === 'string' && info.messageId !== '' ? info.messageId : undefined;
        if (!id) throw new TwoFactorError('provider_error', { provider: name, message: `${name}: the transport returned no message id.` });
        return { id };
      } catch (e) {
        throw smtpError(e, name);
      } finally {
        abort.abort();
      }
    },

    close() {
      if (owned) transporter.close();
    },
  };
}
