// What the consumer test checks in each packed package.json, as plain functions so that
// manifest-checks.test.ts can show each check failing on a broken manifest.

type Target = { types?: string; default?: string };
export type ExportEntry = Target & { import?: Target; require?: Target };

export interface PackedManifest {
  name: string;
  version: string;
  exports?: Record<string, ExportEntry>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface EntryPoint {
  /** What an app writes: '@twofa/core', '@twofa/core/adapter'. */
  specifier: string;
  /** The ESM target and its types. */
  esm: Target;
  /** The CommonJS target and its types, when the exports map has a `require` condition. */
  cjs?: Target;
}

/** Every entry point of a package, from its exports map. */
export function entryPoints(m: PackedManifest): EntryPoint[] {
  return Object.entries(m.exports ?? {}).map(([subpath, entry]) => ({
    specifier: subpath === '.' ? m.name : `${m.name}/${subpath.replace(/^\.\//, '')}`,
    esm: entry.import ?? { types: entry.types, default: entry.default },
    ...(entry.require ? { cjs: entry.require } : {}),
  }));
}

/**
 * What is wrong with one packed manifest, given every packed package's version and a way
 * to tell whether a file exists in the installed package. Empty when nothing is.
 */
export function manifestProblems(m: PackedManifest, versions: ReadonlyMap<string, string>, exists: (relativePath: string) => boolean): string[] {
  const problems: string[] = [];
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [dep, range] of Object.entries(m[field] ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`${m.name}: ${field}.${dep} is still "${range}"`);
      else if (field === 'dependencies' && dep.startsWith('@twofa/')) {
        const sibling = versions.get(dep);
        if (sibling === undefined) problems.push(`${m.name}: depends on ${dep}, which is not in the release`);
        else if (range !== `^${sibling}`) problems.push(`${m.name}: depends on ${dep} "${range}", not "^${sibling}"`);
      }
    }
  }
  const entries = entryPoints(m);
  if (entries.length === 0) problems.push(`${m.name}: no exports map`);
  for (const e of entries) {
    for (const [kind, target] of [['import', e.esm], ['require', e.cjs]] as const) {
      if (!target) continue;
      if (!target.default) problems.push(`${e.specifier}: no ${kind} target`);
      if (!target.types) problems.push(`${e.specifier}: no types for ${kind}`);
      // A `require` target must be CommonJS, an `import` target ESM: the package is "type": "module".
      if (kind === 'require' && target.default && !target.default.endsWith('.cjs')) problems.push(`${e.specifier}: require target ${target.default} is not .cjs`);
      if (kind === 'require' && target.types && !target.types.endsWith('.d.cts')) problems.push(`${e.specifier}: require types ${target.types} are not .d.cts`);
      for (const file of [target.default, target.types]) if (file && !exists(file)) problems.push(`${e.specifier}: ${file} is not in the package`);
    }
  }
  return problems;
}
