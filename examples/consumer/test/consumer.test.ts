// The packages as an app gets them: packed tarballs installed with npm in a project outside
// the workspace, used from ESM, from CommonJS and from TypeScript (node16 and bundler
// resolution). See ../README.md. Builds happen here when release/ is stale, so a fresh
// clone needs no `pnpm build` first.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releasePack, repoRoot, type ReleasePack } from '../../../scripts/release-pack.js';
import { entryPoints, manifestProblems, type EntryPoint, type PackedManifest } from './manifest-checks.js';

const run = promisify(execFile);
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
// The versions the workspace itself uses, for the scratch project's own dependencies.
const otplibVersion = readJson<PackedManifest>(join(repoRoot, 'packages/core/package.json')).dependencies!.otplib!;
const typesNodeVersion = readJson<PackedManifest>(join(repoRoot, 'package.json')).devDependencies!['@types/node']!;

// npm must not inherit the settings pnpm passes to the scripts it runs (user agent, pnpm's
// own switches); registry and proxy settings stay.
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_/i.test(k) || /registry|proxy|cafile|strict_ssl/i.test(k)),
);

let release: ReleasePack;
let scratch = '';
let manifests: PackedManifest[] = [];
let entries: EntryPoint[] = [];

beforeAll(async () => {
  release = await releasePack();
  scratch = mkdtempSync(join(tmpdir(), 'twofa-consumer-'));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'twofa-consumer', version: '0.0.0', private: true }, null, 2));
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...release.packages.map((p) => p.tarball), `otplib@${otplibVersion}`, `@types/node@${typesNodeVersion}`],
    { cwd: scratch, env: npmEnv, maxBuffer: 16 * 1024 * 1024 },
  );
  manifests = release.packages.map((p) => readJson<PackedManifest>(join(scratch, 'node_modules', p.name, 'package.json')));
  entries = manifests.flatMap(entryPoints);
}, 280_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed packages, installed with npm outside the workspace', () => {
  it('packs every package under packages/, and the install outside the workspace resolves each to its tarball', () => {
    const dirs = readdirSync(join(repoRoot, 'packages')).filter((d) => existsSync(join(repoRoot, 'packages', d, 'package.json')));
    expect(release.packages.map((p) => p.dir.split('/').at(-1)).sort()).toEqual(dirs.sort());
    expect(scratch.startsWith(repoRoot)).toBe(false);
    for (const p of release.packages) expect(manifests.find((m) => m.name === p.name)?.version).toBe(p.version);
  });

  it('ships manifests with real sibling ranges and an exports map whose every target exists', () => {
    const versions = new Map(manifests.map((m) => [m.name, m.version]));
    const problems = manifests.flatMap((m) => manifestProblems(m, versions, (f) => existsSync(join(scratch, 'node_modules', m.name, f))));
    expect(problems).toEqual([]);
    // One copy of each: no sibling installed again under another package (a range the tarball
    // did not satisfy would have fetched it from the registry, or failed the install).
    const nested = manifests.filter((m) => existsSync(join(scratch, 'node_modules', m.name, 'node_modules', '@twofa')));
    expect(nested.map((m) => m.name)).toEqual([]);
  });

  it('loads every entry point with import(), and with require() where the exports map offers it, exporting the same names', async () => {
    const specifiers = entries.map((e) => e.specifier);
    const cjsSpecifiers = entries.filter((e) => e.cjs).map((e) => e.specifier);
    expect(specifiers).toEqual(expect.arrayContaining(['@twofa/core', '@twofa/core/adapter', '@twofa/testkit', '@twofa/testkit/conformance']));
    expect(cjsSpecifiers).toContain('@twofa/core/adapter');
    expect(cjsSpecifiers).not.toContain('@twofa/testkit'); // ESM only: vitest cannot be require()d

    writeFileSync(join(scratch, 'load.mjs'), 'const out = {};\nfor (const s of process.argv.slice(2)) out[s] = Object.keys(await import(s)).sort();\nconsole.log(JSON.stringify(out));\n');
    writeFileSync(join(scratch, 'load.cjs'), 'const out = {};\nfor (const s of process.argv.slice(2)) out[s] = Object.keys(require(s)).sort();\nconsole.log(JSON.stringify(out));\n');
    const esm = JSON.parse((await run('node', ['load.mjs', ...specifiers], { cwd: scratch })).stdout) as Record<string, string[]>;
    const cjs = JSON.parse((await run('node', ['load.cjs', ...cjsSpecifiers], { cwd: scratch })).stdout) as Record<string, string[]>;
    for (const s of specifiers) expect(esm[s]?.length, `${s} exports nothing`).toBeGreaterThan(0);
    for (const s of cjsSpecifiers) expect(cjs[s], s).toEqual(esm[s]);
    expect(esm['@twofa/core']).toEqual(expect.arrayContaining(['createTwoFactor', 'MemoryStore', 'totp', 'TwoFactorError']));
  }, 60_000);

  it('type-checks every entry point and a TOTP flow with tsc under node16 (ESM and CommonJS) and bundler resolution, and runs the flow both ways', async () => {
    const importAll = (list: EntryPoint[]) =>
      list.map((e, i) => `import * as m${i} from '${e.specifier}';`).join('\n') +
      `\nexport const entries: Record<string, object> = { ${list.map((e, i) => `'${e.specifier}': m${i}`).join(', ')} };\n`;
    mkdirSync(join(scratch, 'node16'));
    mkdirSync(join(scratch, 'bundler'));
    writeFileSync(join(scratch, 'node16', 'entries.mts'), importAll(entries));
    writeFileSync(join(scratch, 'node16', 'entries.cts'), importAll(entries.filter((e) => e.cjs)));
    writeFileSync(join(scratch, 'node16', 'flow.mts'), flow('esm'));
    writeFileSync(join(scratch, 'node16', 'flow.cts'), flow('cjs'));
    writeFileSync(join(scratch, 'bundler', 'entries.ts'), importAll(entries));
    writeFileSync(join(scratch, 'bundler', 'flow.ts'), flow('esm'));
    const base = { target: 'ES2022', lib: ['ES2022'], strict: true, types: ['node'], skipLibCheck: false, noUnusedLocals: true };
    writeFileSync(
      join(scratch, 'tsconfig.node16.json'),
      JSON.stringify({ compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16', rootDir: 'node16', outDir: 'out' }, include: ['node16'] }),
    );
    writeFileSync(
      join(scratch, 'tsconfig.bundler.json'),
      JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, include: ['bundler'] }),
    );
    // skipLibCheck is off, so errors inside our own .d.ts files count; errors inside other
    // packages' declarations are theirs (twilio's import 'jsonwebtoken', whose types it does
    // not depend on) and are left out.
    const typecheck = (project: string) =>
      run('node', [tsc, '-p', project, '--pretty', 'false'], { cwd: scratch }).then(
        () => '',
        (e: { stdout?: string }) => ours(e.stdout || String(e)),
      );
    const [node16, bundler] = await Promise.all([typecheck('tsconfig.node16.json'), typecheck('tsconfig.bundler.json')]);
    expect(node16).toBe('');
    expect(bundler).toBe('');

    // What tsc wrote for node16 runs: flow.mjs as ESM, flow.cjs with require().
    expect(readFileSync(join(scratch, 'out', 'flow.cjs'), 'utf8')).toContain('require("@twofa/core")');
    const expected = {
      uri: true,
      qrSvg: true,
      recoveryCodes: 10,
      wrong: 'invalid_code',
      right: 'totp',
      replay: 'invalid_code',
      recovery: 'recovery',
      methods: ['totp:active', 'recovery:active'],
      notEnrolled: 'not_enrolled',
      adapterError: 'config_invalid',
      storeError: 'config_invalid',
    };
    for (const file of ['flow.mjs', 'flow.cjs']) {
      const { stdout } = await run('node', [join('out', file)], { cwd: scratch });
      expect(JSON.parse(stdout), file).toEqual(expected);
    }
  }, 180_000);
});

/** tsc's errors without those reported in third-party declarations (node_modules, except @twofa). */
function ours(output: string): string {
  const blocks = output.split(/\n(?=\S)/).filter((b) => b.trim());
  return blocks.filter((b) => !b.startsWith('node_modules/') || b.startsWith('node_modules/@twofa/')).join('\n');
}

/**
 * A TOTP flow an app would write, in TypeScript. The same text for ESM (.mts, top-level await)
 * and CommonJS (.cts: tsc turns the imports into require()). Errors thrown by the adapter
 * and the store packages must be core's own TwoFactorError: one copy of core.
 */
function flow(kind: 'esm' | 'cjs'): string {
  return `import { createTwoFactor, MemoryStore, recoveryCodes, totp, TwoFactorError, type VerifyResult } from '@twofa/core';
import { twilioVerify } from '@twofa/twilio';
import { postgresStore } from '@twofa/store-postgres';
import { generate } from 'otplib';

async function main(): Promise<void> {
  let now = Date.UTC(2030, 0, 1, 12);
  const twofa = createTwoFactor({
    issuer: 'Consumer',
    store: new MemoryStore(),
    encryptionKeys: ['ab'.repeat(32)],
    methods: [totp(), recoveryCodes()],
    clock: { now: () => now },
  });
  const enrollment = await twofa.enroll('user-1', 'totp', { label: 'user@example.com', name: 'Phone' });
  const code = (at: number): Promise<string> => generate({ secret: enrollment.secret, epoch: Math.floor(at / 1000) });
  const confirmed = await twofa.confirmEnrollment('user-1', enrollment.id, await code(now));
  if (!confirmed.ok) throw new Error('confirm failed: ' + confirmed.error);
  now += 30_000;
  const outcome = (r: VerifyResult): string => (r.ok ? r.method : r.error);
  const wrong = await twofa.verify('user-1', { method: 'totp', code: '000000' });
  const right = await twofa.verify('user-1', { method: 'totp', code: await code(now) });
  const replay = await twofa.verify('user-1', { method: 'totp', code: await code(now) });
  const recovery = await twofa.verify('user-1', { method: 'recovery', code: confirmed.recoveryCodes?.[0] ?? '' });
  const thrown = async (fn: () => unknown): Promise<string> => {
    try {
      await fn();
      return 'nothing thrown';
    } catch (e) {
      return e instanceof TwoFactorError ? e.code : 'not a TwoFactorError: ' + String(e);
    }
  };
  console.log(JSON.stringify({
    uri: enrollment.uri.startsWith('otpauth://totp/Consumer:'),
    qrSvg: enrollment.qrSvg.includes('<svg'),
    recoveryCodes: confirmed.recoveryCodes?.length ?? 0,
    wrong: outcome(wrong),
    right: outcome(right),
    replay: outcome(replay),
    recovery: outcome(recovery),
    methods: (await twofa.methods('user-1')).map((m) => m.method + ':' + m.status),
    notEnrolled: await thrown(() => twofa.challenge('nobody', { method: 'totp' })),
    adapterError: await thrown(() => twilioVerify({ accountSid: '', authToken: '', serviceSid: '' })),
    storeError: await thrown(() => postgresStore({ connectionString: 'postgres://127.0.0.1:1/none', schema: 'Not A Schema' })),
  }));
}

${kind === 'esm' ? 'await main();' : 'main().catch((e: unknown) => {\n  console.error(e);\n  process.exitCode = 1;\n});'}
`;
}
