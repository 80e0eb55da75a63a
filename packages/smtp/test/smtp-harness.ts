import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** Where in an SMTP session a scripted failure happens. */
export type SmtpStage = 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';

/**
 * What the server does at `at`: answer with an SMTP reply (`reply`), say nothing at all
 * (`stall`: for 'connect' it accepts the TCP connection and never greets), or close the
 * socket without a word (`drop`).
 */
export type SmtpScript =
  | { at: SmtpStage; reply: number; text: string }
  | { at: SmtpStage; stall: true }
  | { at: SmtpStage; drop: true };

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | false;
  headers: Map<string, unknown>;
  raw: string;
}

export interface SmtpFake {
  host: string;
  port: number;
  /** Messages the server accepted, parsed, oldest first. */
  received: ReceivedMail[];
  /** TCP connections accepted, counting refused and stalled sessions. */
  connections(): number;
  /** TCP connections open now. */
  open(): number;
  /** Scripts the next session (connection); unscripted sessions deliver. Queued in order. */
  failNext(script: SmtpScript): void;
  reset(): void;
  close(): Promise<void>;
}

export const SMTP_USER = 'twofa-mailer';
export const SMTP_PASSWORD = 's3cret-smtp-password-9f2c';

interface Session extends SMTPServerSession {
  script?: SmtpScript;
}

/**
 * A real SMTP server (nodemailer's smtp-server) on 127.0.0.1 and a free port, scripted per
 * session: the SMTP counterpart of testkit's HTTP fakes. AUTH is offered (PLAIN and LOGIN,
 * without TLS on loopback) and optional; a login with other credentials gets 535 5.7.8.
 */
export async function startSmtpFake(): Promise<SmtpFake> {
  const received: ReceivedMail[] = [];
  const queue: SmtpScript[] = [];
  const sockets = new Set<Socket>();
  let opened = 0;

  /** Runs the session's script if it is for `stage`; otherwise calls `next`. */
  function act(stage: SmtpStage, session: Session, done: (err?: Error | null) => void, next: () => void): void {
    const s = session.script;
    if (!s || s.at !== stage) return next();
    if ('stall' in s) return; // never calls back: the client waits for a reply that does not come
    if ('drop' in s) {
      for (const socket of sockets) if (socket.remotePort === session.remotePort) socket.destroy();
      return;
    }
    done(Object.assign(new Error(s.text), { responseCode: s.reply }));
  }

  const server = new SMTPServer({
    name: 'smtp.fake.test',
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disableReverseLookup: true,
    logger: false,
    socketTimeout: 10_000,
    closeTimeout: 200,
    // smtp-server waits 100 ms after accepting, to catch clients that talk before the greeting.
    onConnect(session: Session, callback) {
      session.script = queue.shift();
      act('connect', session, callback, () => callback());
    },
    onAuth(auth, session: Session, callback) {
      act('auth', session, callback, () => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      });
    },
    onMailFrom(_address, session: Session, callback) {
      act('mail', session, callback, () => callback());
    },
    onRcptTo(_address, session: Session, callback) {
      act('rcpt', session, callback, () => callback());
    },
    onData(stream, session: Session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        act('data', session, callback, () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (mail) => {
              received.push({
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                from: mail.from?.text ?? '',
                to: (Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to?.text) ?? '',
                subject: mail.subject ?? '',
                // A single-part message ends with the line break DATA needs before its final dot; that is not the text's.
                text: mail.html ? mail.text ?? '' : (mail.text ?? '').replace(/\n$/, ''),
                html: mail.html ?? false,
                headers: mail.headers,
                raw,
              });
              callback();
            },
            (e: unknown) => callback(e as Error),
          );
        });
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    opened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    received,
    connections: () => opened,
    open: () => sockets.size,
    failNext: (script) => void queue.push(script),
    reset() {
      queue.length = 0;
      received.length = 0;
      opened = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy(); // stalled sessions would hold close() for closeTimeout
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released): connecting is refused. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
