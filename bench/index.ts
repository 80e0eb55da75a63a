/**
 * `pnpm bench`: every figure is measured in this run and printed next to its baseline
 * (bare otplib, the bare official client, bare @simplewebauthn/server, the server's bare round trip) as a ratio.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sections: [string, string][] = [
  ['Core', './core.ts'],
  ['Stores', './stores.ts'],
  ['Twilio adapters', './twilio.ts'],
  ['Vonage adapters', './vonage.ts'],
  ['Failover', './failover.ts'],
  ['WebAuthn', './webauthn.ts'],
  ['OpenTelemetry', './opentelemetry.ts'],
];

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
sampler.unref();

const only = process.argv.slice(2).map((s) => s.toLowerCase());
for (const [title, file] of sections) {
  if (only.length && !only.some((o) => title.toLowerCase().includes(o))) continue;
  console.log(`\n${title}`);
  const path = fileURLToPath(new URL(file, import.meta.url));
  if (!existsSync(path)) {
    console.error(`  error: ${file} is missing (${path}); section '${title}' not run`);
    process.exitCode = 1;
    continue;
  }
  const mod = (await import(file)) as { run: () => Promise<unknown> };
  await mod.run();
}
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
console.log(`\nPeak memory (RSS): ${(peakRss / 1024 / 1024).toFixed(1)} MiB`);
