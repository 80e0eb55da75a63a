import { describe, expect, it } from 'vitest';
import { readErrorTable } from '@twofa/testkit/conformance';

const page = (rows: string[], header = '| Acme answer | twofa `code` | except |') =>
  ['# Acme', '', '## Options', '', '| a | b |', '| - | - |', '', '## Errors', '', 'Prose.', '', header, '| --- | --- | --- |', ...rows, '', '## Next'].join('\n');

describe('readErrorTable', () => {
  it("reads the table under '## Errors': the answer, the code, and the calls that do otherwise", () => {
    const rows = readErrorTable(
      page([
        "| 404 not found | `verification_not_found` | `check` resolves `'expired'`; `cancel` resolves `false`; `lookup` resolves `null` |",
        '| 409 conflict | `provider_error` | `start` throws `send_limit`: still in flight |',
        '| HTTP 429 | `rate_limited` (retryable) | `retryAfter` from `Retry-After` |',
      ]),
    );
    expect(rows).toEqual([
      { line: 14, answer: '404 not found', code: 'verification_not_found', except: { check: { resolves: 'expired' }, cancel: { resolves: false }, lookup: { resolves: null } } },
      { line: 15, answer: '409 conflict', code: 'provider_error', except: { start: { throws: 'send_limit' } } },
      { line: 16, answer: 'HTTP 429', code: 'rate_limited', except: {} },
    ]);
  });

  it('refuses what it cannot hold to an adapter: a code twofa does not have, a table of another shape, no section', () => {
    expect(() => readErrorTable(page(['| 500 | `provider_down` | |']))).toThrow(/line 14: 'provider_down' is not a twofa error code/);
    expect(() => readErrorTable(page(['| 409 | `provider_error` | `start` throws `send_limits` |']))).toThrow(/not a twofa error code/);
    expect(() => readErrorTable(page(['| 500 | `provider_unavailable` |'], '| Acme | twofa |'))).toThrow(/header/);
    expect(() => readErrorTable('# Acme\n\n## Options\n')).toThrow(/no '## Errors' section/);
  });
});
