import { describe, expect, it } from 'vitest';
import { TwoFactorError } from '@twofa/core/adapter';
import { expectNoSecrets } from './conformance-shared.js';

/** What an adapter factory hands `runOptionsTests`. */
export interface OptionsHarness {
  /** Options the factory builds with. */
  valid: Record<string, unknown>;
  /** Options it must refuse, by label (non-objects are tried anyway). */
  invalid: [label: string, options: unknown][];
  /** Option names besides `valid`'s to try wrong values in (e.g. `client`, `timeoutMs`). */
  optional: string[];
  /** Strings no configuration error may quote (credentials, keys). */
  secrets?: string[];
}

/** Values of every wrong kind. */
const WRONG: unknown[] = [undefined, null, 0, -1, Number.NaN, Infinity, '', 'x', true, [], [42], {}, () => 1, Symbol('s')];

function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * An adapter factory refuses bad options at construction, with TwoFactorError('config_invalid')
 * and never anything else (a TypeError at the first send, say), and quotes no secret.
 */
export function runOptionsTests(name: string, build: (options: never) => unknown, h: OptionsHarness): void {
  describe(`options: ${name}`, () => {
    it('builds with the valid options', () => {
      expect(thrown(() => build(h.valid as never))).toBeUndefined();
    });

    const notObjects: [string, unknown][] = [['no options', undefined], ['null', null], ['a string', 'x'], ['a number', 42], ['an array', [h.valid]]];
    it.each([...notObjects, ...h.invalid])('refuses %s with config_invalid', (_label, options) => {
      const e = thrown(() => build(options as never));
      expect(e).toBeInstanceOf(TwoFactorError);
      expect((e as TwoFactorError).code).toBe('config_invalid');
      expectNoSecrets(e, h.secrets ?? []);
    });

    it.each([...new Set([...Object.keys(h.valid), ...h.optional])])('a wrong value for %s builds or throws config_invalid, nothing else', (key) => {
      for (const value of WRONG) {
        const e = thrown(() => build({ ...h.valid, [key]: value } as never));
        if (e !== undefined) expect(e, `${key}: ${String(value)}`).toMatchObject({ code: 'config_invalid' });
      }
    });
  });
}
