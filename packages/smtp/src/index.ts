export { smtpSender, type SmtpSenderOptions, type SmtpSender } from './smtp-sender.js';
export { emailTemplates, escapeHtml, type EmailTemplate, type EmailVars } from './templates.js';
export { classifySmtpFailure, type SmtpFailure } from './smtp-errors.js';
