import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What Prism logs when it refuses a request (off-contract body, path, content type, auth).
 * Its response violations (the published specs' own examples break their schemas) are not
 * matched: they are the spec's problem, not the adapter's.
 */
export const PRISM_REQUEST_REFUSED =
  /UNPROCESSABLE_ENTITY|INVALID_CONTENT_TYPE|UNAUTHORIZED|NO_PATH_MATCHED|NO_METHOD_MATCHED|Violation: request|did not pass the validation rules/;

/** Options of `startPrism()`. */
export interface PrismOptions {
  /** Absolute path of the OpenAPI file to serve. */
  spec: string;
  /** Port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /**
   * Pass `--errors` (default false). Without it Prism already answers a request that
   * breaks the contract with 4xx (422 body/path, 415 content type, 401 auth, 404 path);
   * `--errors` also turns *response* violations into 500s, and the Twilio specs' own
   * examples violate their schemas (null where an object is declared), so it stays off.
   */
  errors?: boolean;
  /** Give up when Prism has not answered after this long (default 60 s). */
  startTimeoutMs?: number;
}

/** A running Prism mock of a provider's OpenAPI file. */
export interface PrismServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Prism's console output so far (request validation messages land here). */
  output(): string;
  /**
   * Resolves true once the output matches `pattern`, false after `timeoutMs`. Prism writes
   * its log through a pipe that can lag behind its HTTP answer.
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<boolean>;
  /** Kill this Prism process (by its own pid) and wait for it to exit. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Finds the prism CLI entry point installed next to testkit, or else from the cwd. */
function prismEntry(): string {
  const bases = [
    typeof import.meta?.url === 'string' && import.meta.url ? import.meta.url : undefined,
    pathToFileURL(join(process.cwd(), 'package.json')).href,
  ].filter((b): b is string => b !== undefined);
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve('@stoplight/prism-cli/package.json');
      return join(dirname(pkg), 'dist', 'index.js');
    } catch {
      // try the next base
    }
  }
  throw new Error('@stoplight/prism-cli is not installed (add it as a devDependency)');
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Runs `prism mock <spec>` on 127.0.0.1 and resolves once it listens. Startup measured
 * at ~1.3 s for each Twilio spec (1.8 MB api_v2010 included) on a 2-core machine.
 */
export async function startPrism(options: PrismOptions): Promise<PrismServer> {
  const port = options.port ?? (await freePort());
  const args = [prismEntry(), 'mock', options.spec, '-h', '127.0.0.1', '-p', String(port)];
  if (options.errors ?? false) args.push('--errors');
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let out = '';
  const onData = (c: Buffer) => {
    out += c.toString('utf8');
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await waitExit(child);
      clearTimeout(t);
    }
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Prism did not start within ${timeoutMs} ms:\n${out.slice(-2000)}`));
      }, timeoutMs);
      const check = () => {
        if (out.includes('Prism is listening on')) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`Prism exited (${code}) before listening:\n${out.slice(-2000)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        child.stderr?.off('data', check);
        child.off('exit', onExit);
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', onExit);
      check();
    });
  } catch (e) {
    await stop();
    throw e;
  }
  if (child.pid === undefined) throw new Error('Prism has no pid');
  const waitFor = (pattern: RegExp, timeoutMs = 5000) =>
    new Promise<boolean>((resolve) => {
      if (pattern.test(out)) return resolve(true);
      const onData = () => {
        if (pattern.test(out)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (v: boolean) => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(v);
      };
      // Listeners added after the collecting one, so `out` already holds the new chunk.
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
    });
  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid, output: () => out, waitFor, stop };
}

/** The provider specs vendored with testkit (see specs/SOURCES.md), beside src/ and dist/ alike. */
const SPECS_DIR = fileURLToPath(new URL('../specs/', import.meta.url));

/**
 * Absolute path of a provider spec shipped with testkit, e.g.
 * `specPath('twilio/twilio_verify_v2.json')`. The files are copies of the providers'
 * published OpenAPI specs; specs/SOURCES.md names each one's origin, commit and licence.
 */
export function specPath(relative: string): string {
  const file = join(SPECS_DIR, relative);
  if (!existsSync(file)) throw new Error(`Provider spec not found: ${file} (testkit ships twilio/ and vonage/ in specs/).`);
  return file;
}
