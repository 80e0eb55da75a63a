import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pnpm demo` as a person runs it in a terminal: a taken port, and Ctrl+C.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const demoArgs = ['--tsconfig', 'tsconfig.json', 'examples/demo/src/main.ts'];
// Only what the commands need: no TWOFA_* or provider variables from the caller's shell.
const env = (port: number) => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: String(port) });

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; `whenReady` is called once stdout says the demo is up. */
function run(cmd: string, args: string[], port: number, whenReady?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: env(port), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!ready && whenReady && stdout.includes('Press Ctrl+C to stop.')) {
        ready = true;
        whenReady(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('pnpm demo in a terminal', () => {
  let taken: Server;
  let takenPort = 0;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    takenPort = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => taken.close(() => r())));

  it('says in one line that the port is taken, names a free one, and exits 1', async () => {
    const r = await run(tsx, demoArgs, takenPort);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Port ${takenPort} is already in use .*Start it on another port: PORT=\\d+ pnpm demo$`));
    const suggested = Number(/PORT=(\d+)/.exec(lines[0]!)![1]);
    expect(suggested).not.toBe(takenPort);
    expect(r.stdout).toBe('');
  });

  it('stops on Ctrl+C typed into `pnpm demo` in a terminal: exit 0, no pnpm error block', async () => {
    // script(1) gives pnpm a real terminal; \x03 is the Ctrl+C key, as a keyboard sends it.
    const r = await run('script', ['-qfec', 'pnpm demo', '/dev/null'], 0, (child) => child.stdin!.write('\x03'));
    const out = r.stdout + r.stderr;
    expect(out).toContain('twofa demo running at http://127.0.0.1:');
    expect(r.code).toBe(0);
    expect(out).not.toMatch(/ERR_PNPM|ELIFECYCLE|Error/);
    expect(out.trimEnd().endsWith('Demo stopped.')).toBe(true);
  });

  it('stops on SIGINT (kill -INT, or Ctrl+C outside a terminal): exit 0, quietly', async () => {
    const r = await run(tsx, demoArgs, 0, (child) => child.kill('SIGINT'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().endsWith('Demo stopped.')).toBe(true);
  });
});
