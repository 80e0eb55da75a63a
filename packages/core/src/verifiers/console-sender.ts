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
 * texting it. The destination is printed masked. Never use it in production.
 */
export function consoleSender(options: ConsoleSenderOptions = {}): MessageSender {
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
