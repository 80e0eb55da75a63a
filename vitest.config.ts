import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests import the packages' sources, so `pnpm test` needs no build step:
// '@twofa/<pkg>' is src/index.ts, '@twofa/<pkg>/<entry>' is src/<entry>.ts.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@twofa\/([\w-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
      { find: /^@twofa\/([\w-]+)\/([\w-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
