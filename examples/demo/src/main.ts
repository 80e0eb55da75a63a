import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDemo } from './start.js';

// `pnpm demo`: reads examples/demo/.env if there is one (see .env.example).
const envFile = fileURLToPath(new URL('../.env', import.meta.url));
if (existsSync(envFile)) process.loadEnvFile(envFile);

try {
  const demo = await startDemo();
  console.log(`\ntwofa demo running at ${demo.url}`);
  if (demo.outboxUrl) console.log(`dev outbox (codes that would have been texted): ${demo.outboxUrl}`);
  for (const n of demo.notes) console.log(`  ${n}`);
  console.log('Press Ctrl+C to stop.\n');
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (e) {
  console.error(`Could not start the demo: ${(e as Error).message}`);
  process.exit(1);
}
