// `pnpm release:pack`: build every package under packages/ and pack each into release/ as the
// tarball npm would publish (workspace:^ ranges written as ^<version>). The consumer test
// (examples/consumer) installs these tarballs in a project outside the workspace.
//
// release/inputs.sha256 records a hash of everything a build reads (each package's files but
// its tests, the shared tsconfig, the lockfile, this script); `releasePack()` reuses release/
// when that hash still matches, so a second `pnpm test` does not build again.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface PackedPackage {
  name: string;
  version: string;
  /** The package's folder in the workspace. */
  dir: string;
  /** Absolute path of its tarball. */
  tarball: string;
}

export interface ReleasePack {
  dir: string;
  packages: PackedPackage[];
  /** True when release/ was already up to date and nothing was built. */
  reused: boolean;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
}

/** Every publishable package: each folder of packages/ with a package.json not marked private. */
export function workspacePackages(root = repoRoot): { dir: string; manifest: Manifest }[] {
  const base = join(root, 'packages');
  return readdirSync(base)
    .sort()
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
    .filter((p) => !p.manifest.private);
}

/** The file name `pnpm pack` gives a package: `@twofa/core@0.1.0` → `twofa-core-0.1.0.tgz`. */
export const tarballName = (m: Manifest) => `${m.name.replace(/^@/, '').replace('/', '-')}-${m.version}.tgz`;

const skipped = new Set(['node_modules', 'dist', 'test', '.turbo']);
function filesOf(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return skipped.has(name) ? [] : filesOf(path);
      return [path];
    });
}

/** A hash of everything the build and the pack read. */
export function inputsHash(root = repoRoot): string {
  const hash = createHash('sha256');
  const files = [
    ...workspacePackages(root).flatMap((p) => filesOf(p.dir)),
    join(root, 'tsconfig.base.json'),
    join(root, 'pnpm-lock.yaml'),
    fileURLToPath(import.meta.url),
  ];
  for (const file of files) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

async function run(args: string[], cwd: string): Promise<void> {
  try {
    await promisify(execFile)('pnpm', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    const output = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`pnpm ${args.join(' ')} failed in ${cwd}:\n${output}`);
  }
}

export async function releasePack(options: { root?: string; out?: string; force?: boolean; log?: (line: string) => void } = {}): Promise<ReleasePack> {
  const root = options.root ?? repoRoot;
  const out = resolve(root, options.out ?? 'release');
  const log = options.log ?? (() => {});
  const stamp = join(out, 'inputs.sha256');
  const packages = workspacePackages(root).map(({ dir, manifest }) => ({
    name: manifest.name,
    version: manifest.version,
    dir,
    tarball: join(out, tarballName(manifest)),
  }));
  const hash = inputsHash(root);
  if (!options.force && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash && packages.every((p) => existsSync(p.tarball))) {
    log(`release/ is up to date (${packages.length} tarballs)`);
    return { dir: out, packages, reused: true };
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // The workspace's own build (the root `build` script: every package, in dependency order).
  log('building every package (pnpm build)');
  await run(['build'], root);
  for (const p of packages) {
    await run(['pack', '--pack-destination', out], p.dir);
    if (!existsSync(p.tarball)) throw new Error(`pnpm pack did not write ${relative(root, p.tarball)}`);
    log(`packed ${relative(root, p.tarball)}`);
  }
  writeFileSync(stamp, `${hash}\n`);
  return { dir: out, packages, reused: false };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = !process.argv.includes('--reuse');
  const { packages } = await releasePack({ force, log: (l) => console.log(l) });
  console.log(`\nInstall them in another project with:\n  npm i ${packages.map((p) => `./${relative(process.cwd(), p.tarball)}`).join(' ')}`);
}
