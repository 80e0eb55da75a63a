import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** One fenced TypeScript block of a Markdown page. */
export interface Sample {
  /** Page path relative to the repo, e.g. docs/totp.md. */
  page: string;
  /** 1-based line of the first code line in the page. */
  line: number;
  code: string;
  /** ```ts nocheck: shown, not compiled. */
  skip: boolean;
}

const TS_LANGS = new Set(['ts', 'typescript', 'mts']);

/**
 * Fenced blocks per CommonMark: ``` or ~~~ fences of 3+ characters, up to 3 spaces (or a
 * list's indentation) before them; the block ends at a fence of the same character at
 * least as long. The info string's first word is the language, the rest are flags.
 */
export function extractSamples(markdown: string, page: string): Sample[] {
  const lines = markdown.split(/\r?\n/);
  const out: Sample[] = [];
  let open: { char: string; len: number; indent: number; lang: string; flags: string[]; start: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const m = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(text);
    if (open) {
      if (m && m[2]![0] === open.char && m[2]!.length >= open.len && !m[3] && !m[4]) {
        if (TS_LANGS.has(open.lang)) {
          out.push({ page, line: open.start, code: open.body.join('\n'), skip: open.flags.includes('nocheck') });
        }
        open = undefined;
      } else {
        // Strip the fence's own indentation (blocks inside list items).
        open.body.push(text.slice(Math.min(open.indent, /^\s*/.exec(text)![0].length)));
      }
      return;
    }
    if (m && !(m[2]![0] === '`' && m[4]!.includes('`'))) {
      open = { char: m[2]![0]!, len: m[2]!.length, indent: m[1]!.length, lang: m[3]!.toLowerCase(), flags: m[4]!.split(/[\s,]+/).filter(Boolean), start: i + 2, body: [] };
    }
  });
  if (open) throw new Error(`${page}: a code fence opened on line ${open.start - 1} is never closed`);
  return out;
}

/**
 * Names every sample may use without declaring them, so a sample can show one call without
 * re-creating the manager. Documented in docs/README.md ("Writing docs").
 */
export const PRELUDE = `
declare const twofa: import('@twofa/core').TwoFactor;
declare const userId: string;
declare const code: string;
declare const email: string;
declare const phoneNumber: string;
// Credential placeholders, as in the provider pages.
declare const accountSid: string, authToken: string, serviceSid: string;
declare const apiKey: string, apiSecret: string, applicationId: string, privateKey: string;
`;

export interface SampleError {
  sample: Sample;
  /** Line in the page. */
  line: number;
  message: string;
}

/**
 * Type-checks samples with the workspace's own tsconfig (strict, paths to packages' src),
 * each as its own module. Virtual files sit in `hostDir` so bare imports (express, hono)
 * resolve from the demo's node_modules.
 */
export function checkSamples(samples: Sample[], repoRoot: string, hostDir: string): SampleError[] {
  const configPath = join(repoRoot, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, dirname(configPath));
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, declaration: false, sourceMap: false, noUnusedLocals: false };

  const virtual = new Map<string, { text: string; sample?: Sample }>();
  virtual.set(join(hostDir, '__docs_prelude__.d.ts'), { text: PRELUDE });
  samples.filter((s) => !s.skip).forEach((s, i) => {
    const name = `${s.page.replace(/[^\w]+/g, '_')}_L${s.line}_${i}.ts`;
    // `export {}` makes each sample a module: its own scope, top-level await allowed.
    virtual.set(join(hostDir, name), { text: `${s.code}\nexport {};\n`, sample: s });
  });

  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => virtual.has(f) || ts.sys.fileExists(f);
  host.readFile = (f) => virtual.get(f)?.text ?? ts.sys.readFile(f);
  host.getSourceFile = (f, lang, onError, create) => {
    const v = virtual.get(f);
    return v ? ts.createSourceFile(f, v.text, lang, true, ts.ScriptKind.TS) : getSourceFile(f, lang, onError, create);
  };

  // Bare imports resolve from the demo first, then from any workspace package, so a page
  // may import what its package depends on (ioredis on the Redis page, twilio on Twilio's).
  const packagesDir = join(repoRoot, 'packages');
  const fallbacks = readdirSync(packagesDir).map((p) => join(packagesDir, p, 'src', 'index.ts'));
  const cache = ts.createModuleResolutionCache(repoRoot, (f) => f, options);
  host.resolveModuleNameLiterals = (literals, containingFile, _redirect, opts) =>
    literals.map(({ text }) => {
      let r = ts.resolveModuleName(text, containingFile, opts, host, cache);
      if (!r.resolvedModule && virtual.has(containingFile) && !text.startsWith('.')) {
        for (const from of fallbacks) {
          r = ts.resolveModuleName(text, from, opts, host, cache);
          if (r.resolvedModule) break;
        }
      }
      return r;
    });

  const program = ts.createProgram([...virtual.keys()], options, host);
  const errors: SampleError[] = [];
  for (const [file, v] of virtual) {
    const sf = program.getSourceFile(file)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      const sample = v.sample ?? { page: '(prelude)', line: 1, code: v.text, skip: false };
      errors.push({ sample, line: sample.line + at, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
    }
  }
  return errors;
}

export function samplesOf(paths: string[], repoRoot: string): Sample[] {
  return paths.flatMap((p) => extractSamples(readFileSync(join(repoRoot, p), 'utf8'), p));
}
