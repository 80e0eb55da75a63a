import { describe, expect, it } from 'vitest';
import { FakeClock } from '@twofa/testkit';
import { loadConfig } from '../src/config.js';
import { buildTwoFactor } from '../src/twofa.js';

describe('TWOFA_OTEL=console', () => {
  it("prints a span per call, provider spans under the call that made them, and nothing secret", async () => {
    const lines: string[] = [];
    const config = loadConfig({ TWOFA_OTEL: 'console', PORT: '0' });
    const built = await buildTwoFactor(config, new FakeClock(), { consoleWrite: (l) => lines.push(l) });
    expect(built.notes).toContain('telemetry: OpenTelemetry spans printed here (TWOFA_OTEL=console)');
    const e = await built.twofa.enroll('ada', 'phone', { phoneNumber: '+12015550123' });
    const code = /\b(\d{6})\b/.exec(built.outbox!.entries.at(-1)!.body)![1]!;
    expect((await built.twofa.confirmEnrollment('ada', e.id, code)).ok).toBe(true);
    await built.close();

    const spans = lines.filter((l) => l.startsWith('otel span '));
    const named = (name: string) => spans.find((l) => l.startsWith(`otel span ${name} `))!;
    expect(named('twofa.enroll')).toMatch(/"twofa\.method":"phone"/);
    expect(named('twofa.confirm_enrollment')).toMatch(/"twofa\.outcome":"ok"/);
    // The send nests under the enrollment that made it.
    const enrollId = /id=(\w+)/.exec(named('twofa.enroll'))![1];
    expect(named('twofa.verifier.start')).toContain(`parent=${enrollId}`);
    const text = spans.join('\n');
    for (const secret of [code, '2015550123', '+12015550123']) expect(text).not.toContain(secret);
  });

  it('is off unless asked for', async () => {
    const lines: string[] = [];
    const built = await buildTwoFactor(loadConfig({ PORT: '0' }), new FakeClock(), { consoleWrite: (l) => lines.push(l) });
    await built.twofa.enroll('bo', 'totp');
    await built.close();
    expect(lines.filter((l) => l.startsWith('otel span '))).toEqual([]);
  });
});
