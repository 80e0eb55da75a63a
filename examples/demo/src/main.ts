import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';
import { startDemo, startupProblem, type RunningDemo } from './start.js';

// `pnpm demo`: reads examples/demo/.env if there is one (see .env.example).
const envFile = fileURLToPath(new URL('../.env', import.meta.url));
if (existsSync(envFile)) process.loadEnvFile(envFile);

let demo: RunningDemo;
try {
  demo = await startDemo({ config: loadConfig() });
} catch (e) {
  // One line, no stack: a taken port, a missing variable, a provider half configured.
  console.error(await startupProblem(e));
  process.exit(1);
}

// Ctrl+C ends the demo with exit code 0. In a terminal, Ctrl+C would also send SIGINT to
// the shell pnpm runs scripts in, and Debian's sh dies of it, so pnpm would print an error
// block for a normal stop. Raw mode turns Ctrl+C into a keystroke only this process reads.
let stopping = false;
const stop = () => {
  if (stopping) process.exit(0); // a second Ctrl+C does not wait for open connections
  stopping = true;
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  void demo.close().then(() => {
    console.log('Demo stopped.');
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.on('data', (key: Buffer) => {
    if (key.includes(0x03)) stop(); // Ctrl+C
  });
}

console.log(`\ntwofa demo running at ${demo.url}`);
if (demo.outboxUrl) console.log(`dev outbox (codes that would have been texted or emailed): ${demo.outboxUrl}`);
for (const n of demo.notes) console.log(`  ${n}`);
console.log('Press Ctrl+C to stop.\n');
