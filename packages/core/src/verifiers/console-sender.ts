import { TwoFactorError } from '../errors.js';
import { maskDestination } from '../phone-number.js';
import type { MessageSender, OutgoingMessage } from '../verifier.js';

/** Options of `consoleSender()`. */
export interface ConsoleSenderOptions {
  /** Where lines go (default: console.log). */
  write?: (line: string) => void;
  /** Also called with each message, e.g. to fill a development outbox page. */
  onMessage?: (message: OutgoingMessage & { id: string; at: number }) => void;
}

/**
 * Development sender: prints each message (with its code) to the terminal instead of
 * texting it. The destination is printed masked. Refused (`config_invalid`) when `NODE_ENV`
 * is `production`: codes in a log are codes anyone with the log can use, and no user would
 * ever receive one.
 */
export function consoleSender(options: ConsoleSenderOptions = {}): MessageSender {
  if (typeof process !== 'undefined' && process.env?.NODE_ENV === 'production') {
    throw new TwoFactorError('config_invalid', { message: 'consoleSender() is refused when NODE_ENV is production: configure a real sender or verifier.' });
  }
  const write = options.write ?? ((line: string) => console.log(line));
  let n = 0;
  return {
    name: 'console',
    channels: ['sms', 'call', 'whatsapp', 'email'],
    async send(message) {
      const id = `console-${++n}`;
      write(`[twofa console sender] ${message.channel} to ${maskDestination(message.to)}: ${message.body}`);
      options.onMessage?.({ ...message, id, at: Date.now() });
      return { id };
    },
  };
}
