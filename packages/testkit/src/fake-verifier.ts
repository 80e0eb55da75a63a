import { TwoFactorError, systemClock, type Channel, type CheckStatus, type Clock, type ErrorCode, type MessageSender, type OutgoingMessage, type Verifier } from '@twofa/core/adapter';

/**
 * In-memory stand-ins for app developers' own tests: they record what would have been
 * sent, so a test can read the code (`lastCode()`) the way a user reads their phone.
 * Never use them in production — the codes are kept in clear text.
 */

export interface FakeSend {
  id: string;
  to: string;
  channel: Channel;
  locale?: string;
  code: string;
  at: number;
}

/** Options of `fakeVerifier()`. */
export interface FakeVerifierOptions {
  channels?: Channel[];
  codeLength?: number;
  ttlSeconds?: number;
  /** Checks allowed per verification before it reports 'max_attempts'. */
  maxChecks?: number;
  clock?: Clock;
  /** Fixed code for every start (default: random digits). */
  code?: string;
  /** Line type returned by lookupLineType (omit to leave lookupLineType undefined). */
  lineType?: string | ((e164: string) => string | null);
  name?: string;
}

export interface FakeVerifier extends Verifier {
  /** Every start, oldest first. */
  readonly sent: FakeSend[];
  /** The code of the most recent start (to `to`, when given). */
  lastCode(to?: string): string | undefined;
  /** The next call to `op` (or any call) throws TwoFactorError(code). */
  failNext(code: ErrorCode, op?: 'start' | 'check' | 'cancel' | 'lookup', options?: { retryAfter?: number }): void;
}

interface Pending {
  code: string;
  expiresAt: number;
  checks: number;
  done: boolean;
}

function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10).toString();
  return s;
}

function failures() {
  const queue: { code: ErrorCode; op?: string; retryAfter?: number }[] = [];
  return {
    push(code: ErrorCode, op?: string, retryAfter?: number) {
      queue.push({ code, ...(op ? { op } : {}), ...(retryAfter !== undefined ? { retryAfter } : {}) });
    },
    take(op: string, provider: string) {
      const i = queue.findIndex((f) => !f.op || f.op === op);
      if (i < 0) return;
      const [f] = queue.splice(i, 1);
      throw new TwoFactorError(f!.code, { provider, ...(f!.retryAfter !== undefined ? { retryAfter: f!.retryAfter } : {}) });
    },
  };
}

/** A Verifier that keeps its codes in memory and records what it sends, for an app's tests. */
export function fakeVerifier(options: FakeVerifierOptions = {}): FakeVerifier {
  const clock = options.clock ?? systemClock;
  const ttl = (options.ttlSeconds ?? 600) * 1000;
  const maxChecks = options.maxChecks ?? 5;
  const name = options.name ?? 'fake';
  const channels = options.channels ?? ['sms', 'call', 'whatsapp', 'email'];
  const open = new Map<string, Pending>();
  const sent: FakeSend[] = [];
  const fail = failures();
  let seq = 0;

  const v: FakeVerifier = {
    name,
    channels,
    sent,
    lastCode(to) {
      for (let i = sent.length - 1; i >= 0; i--) if (to === undefined || sent[i]!.to === to) return sent[i]!.code;
      return undefined;
    },
    failNext(code, op, opts) {
      fail.push(code, op, opts?.retryAfter);
    },
    async start({ to, channel, locale }) {
      fail.take('start', name);
      if (!channels.includes(channel)) throw new TwoFactorError('channel_unsupported', { provider: name });
      const id = `FV${++seq}`;
      const code = options.code ?? randomDigits(options.codeLength ?? 6);
      const at = clock.now();
      open.set(id, { code, expiresAt: at + ttl, checks: 0, done: false });
      sent.push({ id, to, channel, code, at, ...(locale ? { locale } : {}) });
      return { id, channel, expiresAt: at + ttl };
    },
    async check({ id, code }): Promise<CheckStatus> {
      fail.take('check', name);
      const p = open.get(id);
      if (!p || p.done || clock.now() >= p.expiresAt) return 'expired';
      if (p.checks >= maxChecks) return 'max_attempts';
      p.checks++;
      if (code !== p.code) return p.checks >= maxChecks ? 'max_attempts' : 'pending';
      p.done = true;
      return 'approved';
    },
    async cancel(id) {
      fail.take('cancel', name);
      const p = open.get(id);
      if (!p || p.done || clock.now() >= p.expiresAt) return false;
      p.done = true;
      return true;
    },
  };
  const lt = options.lineType;
  if (lt !== undefined) {
    v.lookupLineType = async (e164) => {
      fail.take('lookup', name);
      return typeof lt === 'function' ? lt(e164) : lt;
    };
  }
  return v;
}

/** Options of `fakeSender()`. */
export interface FakeSenderOptions {
  channels?: Channel[];
  clock?: Clock;
  name?: string;
}

export interface FakeSender extends MessageSender {
  readonly sent: (OutgoingMessage & { id: string; at: number })[];
  /** The first run of 4–10 digits in the most recent message (to `to`, when given). */
  lastCode(to?: string): string | undefined;
  /** The next send throws `TwoFactorError(code)`. */
  failNext(code: ErrorCode, options?: { retryAfter?: number }): void;
}

/** A MessageSender that records what it sends, for an app's tests. */
export function fakeSender(options: FakeSenderOptions = {}): FakeSender {
  const clock = options.clock ?? systemClock;
  const name = options.name ?? 'fake-sender';
  const channels = options.channels ?? ['sms', 'whatsapp'];
  const sent: FakeSender['sent'] = [];
  const fail = failures();
  let seq = 0;
  return {
    name,
    channels,
    sent,
    lastCode(to) {
      for (let i = sent.length - 1; i >= 0; i--) {
        const m = sent[i]!;
        if (to !== undefined && m.to !== to) continue;
        return /\b\d{4,10}\b/.exec(m.body)?.[0];
      }
      return undefined;
    },
    failNext(code, opts) {
      fail.push(code, 'send', opts?.retryAfter);
    },
    async send(message) {
      fail.take('send', name);
      if (!channels.includes(message.channel)) throw new TwoFactorError('channel_unsupported', { provider: name });
      const id = `FS${++seq}`;
      sent.push({ ...message, id, at: clock.now() });
      return { id };
    },
  };
}
