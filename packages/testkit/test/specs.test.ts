import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specPath } from '@twofa/testkit';

// The vendored specs stay byte-for-byte what SOURCES.md says they are.
const sources = readFileSync(join(dirname(dirname(specPath('vonage/sms.yml'))), 'SOURCES.md'), 'utf8');
const rows = [...sources.matchAll(/^\| ((?:twilio|vonage)\/[\w.]+) \| [^|]+ \| (\d+) \| ([0-9a-f]{64}) \|/gm)];

describe('vendored provider specs', () => {
  it('SOURCES.md lists all five files', () => {
    expect(rows.map((r) => r[1]).sort()).toEqual([
      'twilio/twilio_api_v2010.json',
      'twilio/twilio_lookups_v2.json',
      'twilio/twilio_verify_v2.json',
      'vonage/sms.yml',
      'vonage/verify.v2.yml',
    ]);
  });

  it.each(rows.map((r) => [r[1]!, Number(r[2]), r[3]!] as const))('%s has the size and sha256 SOURCES.md gives', (file, bytes, sha) => {
    const data = readFileSync(specPath(file));
    expect(data.length).toBe(bytes);
    expect(createHash('sha256').update(data).digest('hex')).toBe(sha);
  });

  it('specPath names a missing spec in its error', () => {
    expect(() => specPath('twilio/nope.json')).toThrow(/nope\.json/);
  });
});
