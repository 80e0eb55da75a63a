import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, TwoFactorError, type ErrorCode } from '@twofa/core';

/**
 * The error table of an adapter's guide, read so a test can hold each row to the adapter.
 * The table is the first one under the `## Errors` heading, three columns:
 *
 *     | <provider> answer | twofa `code` | except |
 *     | 20404 not found | `verification_not_found` | `check` resolves `'expired'`; `cancel` resolves `false` |
 *
 * The second column's first `code` is what every call throws for that answer; the third
 * lists the calls that do otherwise: "`call` resolves `value`" (a JSON value or a quoted
 * string) or "`call` throws `code`". Any other text is for the reader.
 */
export interface ErrorTableRow {
  /** 1-based line in the page, for failure messages. */
  line: number;
  /** The first cell: which answer(s) of the provider the row is about, in words. */
  answer: string;
  /** What every call throws for it, unless `except` says otherwise. */
  code: ErrorCode;
  except: Record<string, { resolves: unknown } | { throws: ErrorCode }>;
}

const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

function errorCode(text: string, where: string): ErrorCode {
  if (!(text in ErrorCodes)) throw new Error(`${where}: '${text}' is not a twofa error code`);
  return text as ErrorCode;
}

function literal(text: string): unknown {
  const quoted = /^'(.*)'$/.exec(text);
  return quoted ? quoted[1] : JSON.parse(text);
}

/** Reads the error table under `## <heading>` of an adapter guide (markdown) into rows. */
export function readErrorTable(markdown: string, heading = 'Errors'): ErrorTableRow[] {
  const lines = markdown.split('\n');
  const at = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (at < 0) throw new Error(`no '## ${heading}' section`);
  const start = lines.findIndex((l, i) => i > at && l.trim().startsWith('|'));
  if (start < 0 || lines.slice(at + 1, start).some((l) => l.startsWith('## '))) throw new Error(`no table under '## ${heading}'`);
  const header = cells(lines[start]!);
  if (header.length !== 3 || !header[1]!.includes('twofa') || header[2] !== 'except') {
    throw new Error(`line ${start + 1}: the table's header must be '| <provider> answer | twofa \`code\` | except |'`);
  }
  const rows: ErrorTableRow[] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.trim().startsWith('|'); i++) {
    const where = `line ${i + 1}`;
    const [answer, codeCell, exceptCell] = cells(lines[i]!);
    const code = /`(\w+)`/.exec(codeCell ?? '')?.[1];
    if (!answer || !code) throw new Error(`${where}: a row needs an answer and a \`code\``);
    const except: ErrorTableRow['except'] = {};
    for (const m of (exceptCell ?? '').matchAll(/`(\w+)` (resolves|throws) `([^`]+)`/g)) {
      except[m[1]!] = m[2] === 'throws' ? { throws: errorCode(m[3]!, where) } : { resolves: literal(m[3]!) };
    }
    rows.push({ line: i + 1, answer, code: errorCode(code, where), except });
  }
  if (rows.length === 0) throw new Error(`the table under '## ${heading}' has no rows`);
  return rows;
}

/** One answer a row's first cell names, as the harness scripts it on its fake provider. */
export interface ScriptedAnswer {
  /** For failure messages, e.g. 'Twilio 20404', 'HTTP 503 page'. */
  label: string;
  /** Makes the fake give this answer to the next call of `call` (a key of `calls`). */
  script(call: string): void | Promise<void>;
}

/** What an adapter hands `runErrorTableTests`. */
export interface ErrorTableHarness<A> {
  /** The adapter, wired to its fake provider (keep its timeoutMs short: rows name timeouts). */
  adapter: A;
  /** Every call the table speaks of, by the name the table uses (`start`, `check`, `send`…). */
  calls: Record<string, (adapter: A) => Promise<unknown>>;
  /** The answers a row's first cell names. Throw for a cell you cannot script: every row must be tested. */
  answers(cell: string): ScriptedAnswer[];
  /** The provider codes the adapter's mapper knows, and how to find them in a row's first cell. */
  mapped?: { codes: readonly (string | number)[]; pattern: RegExp };
  /** Before each row, e.g. forget the fake's queued answers. */
  reset?(): void;
  /** Stops what the harness started. */
  close?(): Promise<void>;
}

type Outcome = { resolves: unknown } | { throws: string };

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { resolves: await call() };
  } catch (e) {
    if (!(e instanceof TwoFactorError)) throw e;
    return { throws: e.code };
  }
}

/**
 * Holds a guide's error table to the adapter: for each row, each answer it names, each call,
 * the adapter must resolve or throw what the row says; and every code the mapper knows must
 * have a row.
 */
export function runErrorTableTests<A>(name: string, markdown: string, make: () => Promise<ErrorTableHarness<A>>): void {
  describe(`error table: ${name}`, () => {
    const rows = readErrorTable(markdown);
    let h: ErrorTableHarness<A>;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close?.();
    });

    it.each(rows.map((r) => [`line ${r.line}: ${r.answer}`, r] as const))('%s', async (_label, row: ErrorTableRow) => {
      for (const call of Object.keys(row.except)) expect(Object.keys(h.calls), `line ${row.line} names a call the adapter does not have`).toContain(call);
      for (const answer of h.answers(row.answer)) {
        for (const [call, run] of Object.entries(h.calls)) {
          h.reset?.();
          await answer.script(call);
          expect(await outcome(() => run(h.adapter)), `${answer.label} → ${call}`).toEqual(row.except[call] ?? { throws: row.code });
        }
      }
    });

    it('has a row for every code the mapper knows', (ctx) => {
      if (!h.mapped) return ctx.skip('the harness gives no mapper codes');
      const { codes, pattern } = h.mapped;
      const listed = rows.flatMap((r) => [...r.answer.matchAll(pattern)].map((m) => m[1]));
      expect(listed).toEqual(expect.arrayContaining(codes.map(String)));
    });
  });
}
