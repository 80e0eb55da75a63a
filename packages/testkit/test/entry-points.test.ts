import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module specifier reachable from `entry` through the package's own files. */
function reachable(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s(?!type\b)[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.add(spec);
    }
  };
  visit(join(src, entry));
  return { files, external };
}

describe('testkit entry points', () => {
  it("'@twofa/testkit' (fakes, clock, servers) does not load vitest", () => {
    const { external } = reachable('index.ts');
    expect([...external].filter((s) => s.startsWith('vitest'))).toEqual([]);
    expect(external.has('@twofa/core/adapter')).toBe(true); // the walk does follow imports
  });

  it("'@twofa/testkit/conformance' holds the suites, on vitest", () => {
    const { external } = reachable('conformance.ts');
    expect(external.has('vitest')).toBe(true);
  });
});
