import { describe, expect, it } from 'vitest';
import { entryPoints, manifestProblems, type PackedManifest } from './manifest-checks.js';

const versions = new Map([
  ['@twofa/core', '0.1.0'],
  ['@twofa/testkit', '0.1.0'],
]);
const dual = (name: string) => ({
  import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
  require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
});
const good: PackedManifest = {
  name: '@twofa/store-x',
  version: '0.1.0',
  exports: { '.': dual('index'), './adapter': dual('adapter') },
  dependencies: { '@twofa/core': '^0.1.0', pg: '^8.16.0' },
  devDependencies: { '@twofa/testkit': '^0.1.0' },
};
const files = new Set(['./dist/index.js', './dist/index.cjs', './dist/index.d.ts', './dist/index.d.cts', './dist/adapter.js', './dist/adapter.cjs', './dist/adapter.d.ts', './dist/adapter.d.cts']);
const exists = (f: string) => files.has(f);
const problems = (m: PackedManifest) => manifestProblems(m, versions, exists);

describe('the checks the consumer test makes on each packed package.json', () => {
  it('pass a good manifest, and list its entry points with their CommonJS side', () => {
    expect(problems(good)).toEqual([]);
    expect(entryPoints(good).map((e) => [e.specifier, e.cjs?.default])).toEqual([
      ['@twofa/store-x', './dist/index.cjs'],
      ['@twofa/store-x/adapter', './dist/adapter.cjs'],
    ]);
  });

  it('read an ESM-only exports map (testkit) as import only', () => {
    const esmOnly: PackedManifest = { name: '@twofa/testkit', version: '0.1.0', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } };
    expect(entryPoints(esmOnly)).toEqual([{ specifier: '@twofa/testkit', esm: { types: './dist/index.d.ts', default: './dist/index.js' } }]);
    expect(problems(esmOnly)).toEqual([]);
  });

  it('fail a sibling left as workspace:, pinned exactly, or on another version', () => {
    expect(problems({ ...good, dependencies: { '@twofa/core': 'workspace:*' } })).toEqual(['@twofa/store-x: dependencies.@twofa/core is still "workspace:*"']);
    expect(problems({ ...good, dependencies: { '@twofa/core': '0.1.0' } })).toEqual(['@twofa/store-x: depends on @twofa/core "0.1.0", not "^0.1.0"']);
    expect(problems({ ...good, dependencies: { '@twofa/core': '^0.2.0' } })).toEqual(['@twofa/store-x: depends on @twofa/core "^0.2.0", not "^0.1.0"']);
    expect(problems({ ...good, dependencies: { '@twofa/nope': '^0.1.0' } })).toEqual(['@twofa/store-x: depends on @twofa/nope, which is not in the release']);
    expect(problems({ ...good, devDependencies: { '@twofa/testkit': 'workspace:^' } })).toHaveLength(1);
  });

  it('fail an exports map with a missing file, missing types, or CommonJS pointing at ESM', () => {
    const broken = (entry: object) => problems({ ...good, exports: { '.': { ...dual('index'), ...entry } } });
    expect(broken({ import: { types: './dist/index.d.ts', default: './dist/main.js' } })).toEqual(['@twofa/store-x: ./dist/main.js is not in the package']);
    expect(broken({ require: { default: './dist/index.cjs' } })).toEqual(['@twofa/store-x: no types for require']);
    expect(broken({ require: { types: './dist/index.d.ts', default: './dist/index.js' } })).toEqual([
      '@twofa/store-x: require target ./dist/index.js is not .cjs',
      '@twofa/store-x: require types ./dist/index.d.ts are not .d.cts',
    ]);
    expect(problems({ ...good, exports: {} })).toEqual(['@twofa/store-x: no exports map']);
  });
});
