import { TwoFactorError } from '../errors.js';
import { parseEmailAddress } from '../email-address.js';
import { optionsObject } from '../validate.js';
import type { Verifier } from '../verifier.js';
import { checkLocale, checkMaxPerUser, delivery } from './delivery.js';
import type { Method } from './types.js';

/** Options of `email()`. */
export interface EmailOptions {
  /**
   * Sends and checks the codes over the 'email' channel: localVerifier({ sender:
   * smtpSender(...) }) (codes made here, sent by SMTP), or a hosted verifier's email
   * channel (twilioVerify, vonageVerify), or failover([...]).
   */
  verifier?: Verifier;
  /** Language for the message when the app passes none. */
  locale?: string;
  /** Addresses one user may hold. Default 3. */
  maxPerUser?: number;
}

/** What `enroll(userId, 'email', input)` takes. */
export interface EmailEnrollInput {
  /** As typed; validated and normalised (IDN domains to ASCII, no header injection). */
  address: string;
  locale?: string;
  /** The name the user gives this address ("Work"). */
  name?: string;
}

/** What `enroll(userId, 'email')` returns besides id, method, name and expiresAt: the code is on its way. */
export interface EmailEnrollment {
  /** Masked, e.g. 'a•••@example.com'. */
  destination: string;
}

/** The method `email()` returns: id `email`. */
export type EmailMethod = Method<'email', EmailEnrollInput, EmailEnrollment>;

interface EmailConfig {
  address: string;
  verificationId?: string;
  [k: string]: unknown;
}

/**
 * Codes by email, with the same policies as phone codes: attempts, resend cooldown, send
 * limits per destination (the address, by keyed hash), per user and globally. The address
 * is stored encrypted and shown masked.
 */
export function email(options?: EmailOptions): EmailMethod {
  const o = optionsObject(options, 'email options', 'config_invalid');
  const d = delivery('email', o.verifier, ['email'], ['email'], checkLocale(o.locale, 'email'));
  const maxPerUser = checkMaxPerUser(o.maxPerUser ?? 3, 'email');

  return {
    id: 'email',
    role: 'primary',
    order: 20,
    needsChallenge: true,
    maxPerUser,
    answer: 'code',
    isAvailable: () => d.verifier !== undefined,
    attach: (env) => d.verifier?.attach?.(env),

    async enroll(ctx, input, existing) {
      const parsed = parseEmailAddress(input.address);
      // Case matters only in the local part, and hardly ever in practice: compare without it.
      if (existing.some((a) => (a.config as EmailConfig).address.toLowerCase() === parsed.address.toLowerCase())) throw new TwoFactorError('already_enrolled');
      const started = await d.send(ctx, parsed.address, 'email', d.pickLocale(input.locale), 'enroll');
      const config: EmailConfig = { address: parsed.address, verificationId: started.id };
      return {
        config,
        display: { email: parsed.masked },
        output: { destination: parsed.masked },
        ttlSeconds: d.ttl(ctx, started),
        sent: { channel: 'email', destination: parsed.masked },
      };
    },

    async confirm(ctx, pending, code) {
      return (await d.check(ctx, pending, (pending.config as EmailConfig).verificationId, code)).outcome;
    },

    async challenge(ctx, candidates, opts) {
      if (opts.channel !== undefined && opts.channel !== 'email') throw new TwoFactorError('channel_unsupported', { message: 'The email method sends by email only.' });
      return d.challenge(ctx, candidates, {
        channel: 'email',
        locale: d.pickLocale(opts.locale),
        to: (auth) => (auth.config as EmailConfig).address,
        destination: (auth) => auth.record.display?.email ?? '',
      });
    },

    check: (ctx, candidates, code, state) => d.checkChallenge(ctx, candidates, code, state),

    abandon: (_ctx, state) => d.abandon(state),
  };
}
