import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { auditTrail, systemClock, type Clock } from '@twofa/core';
import { createApp } from './app.js';
import { loadConfig, type DemoConfig } from './config.js';
import { Lockouts } from './lockout.js';
import { OpenChallenges } from './open-challenges.js';
import type { Outbox } from './outbox.js';
import { Sessions } from './session.js';
import { buildTwoFactor, type DemoTwoFactor } from './twofa.js';
import { LoginThrottle } from './throttle.js';
import { Users } from './users.js';

export interface StartOptions {
  /** Defaults to loadConfig(process.env). */
  config?: DemoConfig;
  /** Tests pass a FakeClock; it drives twofa, sessions and the outbox alike. */
  clock?: Clock;
  /** App log lines (default: console.log). */
  log?: (line: string) => void;
  /** Terminal lines of the console sender, which carry codes (default: console.log). */
  consoleWrite?: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  outboxUrl?: string;
  twofa: DemoTwoFactor;
  outbox?: Outbox;
  notes: string[];
  /** Phone channels offered. */
  channels: readonly string[];
  close(): Promise<void>;
}

/** Builds everything and listens. Port 0 picks a free port (tests). */
export async function startDemo(options: StartOptions = {}): Promise<RunningDemo> {
  const config = options.config ?? loadConfig();
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.log(line));
  // Listen first: the port (PORT=0 picks one) is part of the origin security keys are bound to.
  const server = createHttpServer();
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(config.port, config.host);
  });
  const { port } = server.address() as AddressInfo;
  let built: Awaited<ReturnType<typeof buildTwoFactor>>;
  try {
    built = await buildTwoFactor(config, clock, { ...(options.consoleWrite ? { consoleWrite: options.consoleWrite } : {}), warn: log, port });
  } catch (e) {
    server.close();
    throw e;
  }
  const outbox = config.production ? undefined : built.outbox;
  const sessions = new Sessions({ secure: config.secureCookies, clock });
  const lockouts = new Lockouts(clock);
  const app = createApp(
    {
      twofa: built.twofa, devices: built.twofa, users: new Users(), loginThrottle: new LoginThrottle(clock), lockouts, challenges: new OpenChallenges(clock), sessions, clock,
      secureCookies: config.secureCookies, requiredEmails: config.requiredEmails, adminEmails: config.adminEmails, keyOrigins: built.keyOrigins, log, ...(outbox ? { outbox } : {}),
    },
    built.channels,
  );
  built.twofa.on('user.locked', (e) => lockouts.note(e.userId, e.until));
  // The audit trail: every twofa event as one JSON line (ids, methods, outcomes, masked
  // destinations; never a code, a secret or a full number), e.g. admin.reset with who and why.
  auditTrail(built.twofa, (record) => log(`audit ${JSON.stringify(record)}`));

  server.on('request', app);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  return {
    url,
    ...(outbox ? { outboxUrl: `${url}/dev/outbox`, outbox } : {}),
    twofa: built.twofa,
    notes: built.notes,
    channels: built.channels,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await built.close();
      await built.store.close?.();
    },
  };
}

/**
 * Why the demo could not start, in one line for the terminal. A taken port names a free
 * one to use instead; anything else gives its message (config errors name the variable).
 */
export async function startupProblem(e: unknown): Promise<string> {
  const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
  if (err.code === 'EADDRINUSE' && err.port !== undefined) {
    const free = await freePortAfter(err.address ?? '127.0.0.1', err.port);
    return `Port ${err.port} is already in use (is the demo running in another terminal?). Start it on another port: PORT=${free ?? 0} pnpm demo`;
  }
  if (err.code === 'EACCES' && err.port !== undefined) {
    return `Port ${err.port} needs more privileges. Start the demo on another port: PORT=3000 pnpm demo`;
  }
  return `Could not start the demo: ${err.message}`;
}

/** The first of the next 20 ports that is free on that host, if any. */
async function freePortAfter(host: string, port: number): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(port + 20, 65535); p++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(p, host, () => probe.close(() => resolve(true)));
    });
    if (free) return p;
  }
  return undefined;
}
