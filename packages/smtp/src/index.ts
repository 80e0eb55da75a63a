/**
 * `smtpSender()`: a MessageSender for codes by email over SMTP (nodemailer), for the `email()` method.
 *
 * @packageDocumentation
 * @module @twofa/smtp
 */
export { smtpSender, type SmtpSenderOptions, type SmtpSender } from './smtp-sender.js';
export { emailTemplates, escapeHtml, type EmailTemplate, type EmailVars } from './templates.js';
export { classifySmtpFailure, type SmtpFailure } from './smtp-errors.js';
