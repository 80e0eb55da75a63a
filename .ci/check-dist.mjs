// After `pnpm build`: every package's dist must load both ways, as an app would load it.
// (It caught @vonage/server-sdk 3.24.3, whose CommonJS entry requires a file it does not ship.)
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'packages');
const require = createRequire(import.meta.url);
let failed = 0;
for (const name of readdirSync(root)) {
  const dir = join(root, name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // Every entry point (".", "./adapter", "./conformance", ...).
  const ways = Object.values(pkg.exports).flatMap((exp) =>
    // testkit is ESM only: vitest, which its conformance suites build on, cannot be require()d.
    exp.require ? [['require', exp.require.default], ['import', exp.import.default]] : [['import', exp.default]],
  );
  for (const [kind, file] of ways) {
    try {
      const mod = kind === 'require' ? require(join(dir, file)) : await import(pathToFileURL(join(dir, file)).href);
      if (Object.keys(mod).length === 0) throw new Error('exports nothing');
    } catch (e) {
      failed++;
      console.error(`${pkg.name} (${kind} ${file}): ${e.message.split('\n')[0]}`);
    }
  }
}
if (failed) process.exit(1);
console.log('Every package loads with require() and import().');
