import { consoleSender, maskDestination, type Channel, type Clock, type MessageSender } from '@twofa/core';
import type { OutgoingMessage } from '@twofa/core/adapter';

export interface OutboxEntry {
  at: number;
  /** Masked destination: pages show no full numbers or addresses. */
  to: string;
  channel: Channel;
  /** Emails: the subject line. */
  subject?: string;
  /** The text (for an email, its plain-text part). */
  body: string;
}

/** How an email would read: the SMTP sender's own template, so the outbox shows what it would send. */
export type EmailRenderer = (message: OutgoingMessage) => { subject: string; text: string };

/**
 * Development only: the console sender, with every text, call and email it "sends" also
 * kept here for the /dev/outbox page (newest first, last 50). Never wired up in production.
 */
export class Outbox {
  readonly entries: OutboxEntry[] = [];

  constructor(private readonly clock: Clock, private readonly renderEmail?: EmailRenderer) {}

  /** A consoleSender() whose messages land in this outbox. `write` gets the terminal lines. */
  sender(write?: (line: string) => void): MessageSender {
    return consoleSender({
      ...(write ? { write } : {}),
      onMessage: (m) => {
        const email = m.channel === 'email' && this.renderEmail ? this.renderEmail(m) : undefined;
        this.entries.unshift({ at: this.clock.now(), to: maskDestination(m.to), channel: m.channel, ...(email ? { subject: email.subject, body: email.text } : { body: m.body }) });
        this.entries.length = Math.min(this.entries.length, 50);
      },
    });
  }
}
