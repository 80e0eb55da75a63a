import { consoleSender, maskDestination, type Channel, type Clock, type MessageSender } from '@twofa/core';

export interface OutboxEntry {
  at: number;
  /** Masked destination: pages show no full numbers. */
  to: string;
  channel: Channel;
  body: string;
}

/**
 * Development only: the console sender, with every text it "sends" also kept here for
 * the /dev/outbox page (newest first, last 50). Never wired up in production.
 */
export class Outbox {
  readonly entries: OutboxEntry[] = [];

  constructor(private readonly clock: Clock) {}

  /** A consoleSender() whose messages land in this outbox. `write` gets the terminal lines. */
  sender(write?: (line: string) => void): MessageSender {
    return consoleSender({
      ...(write ? { write } : {}),
      onMessage: (m) => {
        this.entries.unshift({ at: this.clock.now(), to: maskDestination(m.to), channel: m.channel, body: m.body });
        this.entries.length = Math.min(this.entries.length, 50);
      },
    });
  }
}
