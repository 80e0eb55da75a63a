import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when the loopback port can be bound right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free loopback port whose cluster bus port (+10000) is free too. */
export async function freeRedisPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port;
  }
  throw new Error('No free port pair for redis-server');
}

/** A redis-server `startRedisServer()` started on loopback. */
export interface RedisServerHandle {
  port: number;
  url: string;
  dir: string;
  /** The current process id (changes on restart). */
  readonly pid: number;
  /** Kill -9 the process (a crash) and wait for it to exit. */
  kill(): Promise<void>;
  /** Start it again on the same port and directory. */
  start(): Promise<void>;
  /** Stop the process by its id and remove its directory. */
  stop(): Promise<void>;
}

/** Options of `startRedisServer()`. */
export interface RedisServerOptions {
  /** Keep an append-only file (fsync every write) so a crash loses nothing acknowledged. Default false. */
  durable?: boolean;
  cluster?: boolean;
  /** Parent directory; a temp dir of its own is made when absent. */
  dir?: string;
}

/** Starts a Debian `redis-server` on 127.0.0.1 on a free port, for tests. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = await freeRedisPort();
  const dir = options.dir ? join(options.dir, String(port)) : mkdtempSync(join(tmpdir(), 'twofa-redis-'));
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  args.push(...(options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  if (options.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '2000');
  let child: ChildProcess | undefined;

  const start = async () => {
    const c = spawn('redis-server', args, { stdio: 'ignore' });
    child = c;
    const failed = new Promise<never>((_, reject) => {
      c.once('error', reject);
      c.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    });
    // Poll until it answers (real time is inherent here: a process is starting).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await Promise.race([
        run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping']).then(
          (r) => r.stdout.trim() === 'PONG',
          () => false,
        ),
        failed,
      ]);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    failed.catch(() => {}); // later exits are expected (kill/stop)
  };

  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    process.kill(c.pid!, 'SIGKILL');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child?.pid ?? -1;
    },
    kill,
    start,
    stop: async () => {
      await kill();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster `startRedisCluster()` started on loopback. */
export interface RedisClusterHandle {
  nodes: { host: string; port: number }[];
  servers: RedisServerHandle[];
  /** Stops every node and removes their directories. */
  stop(): Promise<void>;
}

/** Starts a 3-master Redis Cluster on loopback (no replicas, no persistence) in its own temp dir. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'twofa-redis-cluster-'));
  const servers: RedisServerHandle[] = [];
  const stop = async () => {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) servers.push(await startRedisServer({ cluster: true, dir }));
    const addrs = servers.map((s) => `127.0.0.1:${s.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const states = await Promise.all(
        servers.map((s) => run('redis-cli', ['-p', String(s.port), 'cluster', 'info']).then((r) => r.stdout.includes('cluster_state:ok'))),
      );
      if (states.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('Redis Cluster did not reach cluster_state:ok');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })), servers, stop };
}
