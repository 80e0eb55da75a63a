import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSamples, extractSamples, samplesOf, type SampleError } from './docs-samples.js';

// Every ```ts block in docs/*.md (every helper's page) and README.md must compile against
// the workspace's sources, so the docs cannot drift from the API.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const hostDir = fileURLToPath(new URL('../', import.meta.url));
const pages = ['README.md', ...readdirSync(`${repoRoot}docs`).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

const report = (errors: SampleError[]) => errors.map((e) => `${e.sample.page}:${e.line}: ${e.message}`);

describe('code samples in the docs', () => {
  const samples = samplesOf(pages, repoRoot);
  let errors: SampleError[] | undefined;
  const errorsOf = (page: string) => {
    errors ??= checkSamples(samples, repoRoot, hostDir); // one program for all pages
    return report(errors.filter((e) => e.sample.page === page || e.sample.page === '(prelude)'));
  };

  it('finds the pages and their TypeScript samples', () => {
    expect(pages).toContain('docs/README.md');
    expect(samples.filter((s) => !s.skip).length).toBeGreaterThanOrEqual(15);
  });

  it.each(pages)('%s: every ts sample type-checks', (page) => {
    expect(errorsOf(page)).toEqual([]);
  }, 60_000);
});

describe('the sample checker itself', () => {
  const md = [
    '# Page',
    '```ts',
    "import { createTwoFactor, MemoryStore, totp } from '@twofa/core';",
    "const t = createTwoFactor({ issuer: 'X', store: new MemoryStore(), insecureNoEncryption: true, methods: [totp()] });",
    'const n: number = (await t.methods(userId)).length;',
    '```',
    '- a list item:',
    '  ```typescript',
    "  const r = await twofa.verify(userId, { method: 'totp', code });",
    '  const wrong: string = r.ok;',
    '  ```',
    '~~~ts nocheck',
    'this is not TypeScript at all',
    '~~~',
    '```js',
    'const ignored = true',
    '```',
    '````ts',
    "import { notAnExport } from '@twofa/core';",
    '```',
    'still inside the four-backtick fence',
    '````',
  ].join('\n');
  const samples = extractSamples(md, 'docs/fixture.md');

  it('extracts ts/typescript fences (also indented and longer ones), marks nocheck, ignores other languages', () => {
    expect(samples.map((s) => [s.line, s.skip])).toEqual([[3, false], [9, false], [13, true], [19, false]]);
    expect(samples[1]!.code.startsWith('const r')).toBe(true);
    expect(samples[3]!.code).toContain('still inside');
  });

  it('reports type errors and bad imports at their page line, and passes good samples', () => {
    const lines = checkSamples(samples, repoRoot, hostDir).map((e) => e.line);
    expect(lines).toContain(10); // boolean is not a string
    expect(lines).toContain(19); // no such export
    expect(lines).toContain(20); // the shorter fence stayed inside the block, as code
    expect(lines.filter((l) => l >= 3 && l <= 5)).toEqual([]);
  }, 60_000);

  it('resolves express and hono types, so framework samples are checked too', () => {
    const fw = extractSamples(
      ['```ts', "import express from 'express';", "import { Hono } from 'hono';", 'new Hono().get("/", (c) => c.text("ok"));', 'express().notAMethod();', '```'].join('\n'),
      'docs/fw.md',
    );
    expect(checkSamples(fw, repoRoot, hostDir).map((e) => [e.line, e.message])).toEqual([[5, expect.stringContaining("'notAMethod' does not exist")]]);
  }, 60_000);

  it("resolves a workspace package's own dependencies (ioredis, pg) for its page's samples", () => {
    const deps = extractSamples(
      ['```ts', "import Redis from 'ioredis';", "import pg from 'pg';", "const r = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });", "const p = new pg.Pool({ max: 1 });", 'const n: number = r.status;', '```'].join('\n'),
      'docs/deps.md',
    );
    expect(checkSamples(deps, repoRoot, hostDir).map((e) => e.line)).toEqual([6]); // status is a string
  }, 60_000);

  it('refuses an unclosed fence instead of silently skipping the rest of the page', () => {
    expect(() => extractSamples('```ts\nconst a = 1;\n', 'docs/broken.md')).toThrow(/never closed/);
  });
});
