import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, TwoFactorError } from '@twofa/core';

describe('error codes', () => {
  it('docs/errors.md lists exactly the codes TwoFactorError can carry', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const thrown = doc.slice(doc.indexOf('## Thrown codes'));
    const documented = [...thrown.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ErrorCodes).sort());
  });

  it('only provider_unavailable and rate_limited are retryable', () => {
    const retryable = Object.keys(ErrorCodes).filter((c) => new TwoFactorError(c as keyof typeof ErrorCodes).retryable);
    expect(retryable.sort()).toEqual(['provider_unavailable', 'rate_limited']);
  });
});
