import { describe, expect, it } from 'vitest';
import { isTwoFactorError, TwoFactorError } from '@twofa/core';
import { maskEmailAddress, parseEmailAddress } from '@twofa/core/adapter';

/** The error parseEmailAddress threw for `input`, or a failed expectation when it accepted it. */
function refusal(input: unknown): TwoFactorError {
  try {
    const r = parseEmailAddress(input);
    expect.fail(`accepted ${JSON.stringify(String(input).slice(0, 40))} as ${JSON.stringify(r.address.slice(0, 60))}`);
  } catch (e) {
    if (!isTwoFactorError(e)) throw e;
    return e;
  }
}

describe('parseEmailAddress: accepted and normalised', () => {
  it.each([
    ['alice@example.com', 'alice@example.com', 'example.com'],
    ['Alice.Smith@Example.COM', 'Alice.Smith@example.com', 'example.com'], // the local part keeps its case
    ['  bob@example.org  ', 'bob@example.org', 'example.org'], // pasted with spaces around
    ['first.last+tag@mail.example.co.uk', 'first.last+tag@mail.example.co.uk', 'mail.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie", 'example.ie'],
    ['x!#$%&*/=?^_`{|}~-@example.com', 'x!#$%&*/=?^_`{|}~-@example.com', 'example.com'], // every atext character
    ['user@bücher.example', 'user@xn--bcher-kva.example', 'xn--bcher-kva.example'], // IDN → punycode
    ['user@BÜCHER.example', 'user@xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example', 'xn--bcher-kva.example'], // already ASCII
    ['user@例え.テスト', 'user@xn--r8jz45g.xn--zckzah', 'xn--r8jz45g.xn--zckzah'],
    ['user@ｅｘａｍｐｌｅ.com', 'user@example.com', 'example.com'], // full-width letters: IDNA maps them
    ['a@b.co', 'a@b.co', 'b.co'],
    ['u@a-b.example', 'u@a-b.example', 'a-b.example'],
  ])('%s → %s', (input, address, domain) => {
    const r = parseEmailAddress(input);
    expect(r).toEqual({ address, domain, masked: `${address[0]}•••@${domain}` });
  });

  it('a Cyrillic lookalike domain is a different domain, and shows as punycode', () => {
    const r = parseEmailAddress('alice@exаmple.com'); // U+0430 for the 'a'
    expect(r.domain).toBe('xn--exmple-4nf.com');
    expect(r.masked).toBe('a•••@xn--exmple-4nf.com');
  });

  it('the limits are inclusive: a 64-octet local part and a 254-octet address pass', () => {
    const local = 'l'.repeat(64);
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`; // 189 octets
    const address = `${local}@${domain}`;
    expect(address.length).toBe(254);
    expect(parseEmailAddress(address).address).toBe(address);
  });
});

const hostile: [label: string, input: unknown][] = [
  ['not a string', 42],
  ['null', null],
  ['an object', { toString: () => 'a@example.com' }],
  ['empty', ''],
  ['spaces', '   '],
  ['no @', 'alice.example.com'],
  ['two @', 'alice@bob@example.com'],
  ['dotless domain', 'a@b'],
  ['localhost', 'root@localhost'],
  ['empty local part', '@example.com'],
  ['empty domain', 'alice@'],
  ['quoted local part', '"quoted"@x.com'],
  ['quoted with space and @', '"a b@c"@example.com'],
  ['CR LF header injection', 'alice@example.com\r\nBcc: victim@evil.test'],
  ['LF header injection', 'alice@example.com\nBcc: victim@evil.test'],
  ['CR alone', 'alice@example.com\r'],
  ['NUL in local part', 'ali\u0000ce@example.com'],
  ['NUL at end', 'alice@example.com\u0000'],
  ['tab', 'alice\t@example.com'],
  ['DEL', 'alice\u007f@example.com'],
  ['C1 control (NEL)', 'alice\u0085@example.com'],
  ['line separator', 'alice@example.com\u2028Bcc: x@evil.test'],
  ['BOM', '\ufeffalice@example.com'],
  ['lone high surrogate', 'alice\ud800@example.com'],
  ['lone low surrogate', 'alice@exam\udc00ple.com'],
  ['10k characters', `${'a'.repeat(10_000)}@example.com`],
  ['10k @ signs', '@'.repeat(10_000)],
  ['65-octet local part', `${'l'.repeat(65)}@example.com`],
  ['255-octet address', `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(58)}.com`],
  ['64-octet label', `a@${'d'.repeat(64)}.com`],
  ['IDN that grows past 254 in punycode', `a@${'ü'.repeat(60)}.${'ü'.repeat(60)}.${'ü'.repeat(60)}.${'ü'.repeat(60)}.de`],
  ['leading dot', '.alice@example.com'],
  ['trailing dot in local part', 'alice.@example.com'],
  ['double dot in local part', 'al..ice@example.com'],
  ['space inside', 'ali ce@example.com'],
  ['angle brackets', '<alice@example.com>'],
  ['display name form', 'Alice <alice@example.com>'],
  ['comment', 'alice(comment)@example.com'],
  ['backslash', 'ali\\ce@example.com'],
  ['comma list', 'alice@example.com,bob@example.com'],
  ['semicolon list', 'alice@example.com;bob@example.com'],
  ['non-ASCII local part', 'jösé@example.com'],
  ['Cyrillic lookalike local part', 'аlice@example.com'],
  ['full-width @', 'alice＠example.com'],
  ['domain literal', 'alice@[192.0.2.1]'],
  ['IPv4 domain', 'alice@192.0.2.1'],
  ['hex IPv4 host', 'alice@0x7f.1'],
  ['percent-encoded domain', 'alice@ex%41mple.com'],
  ['soft hyphen in domain', 'alice@exam\u00adple.com'],
  ['zero-width joiner in domain', 'alice@exam\u200dple.com'],
  ['ideographic full stop', 'alice@example\u3002com'],
  ['underscore in domain', 'alice@exa_mple.com'],
  ['trailing dot domain', 'alice@example.com.'],
  ['leading dot domain', 'alice@.example.com'],
  ['double dot domain', 'alice@example..com'],
  ['label starting with a hyphen', 'alice@-example.com'],
  ['label ending with a hyphen', 'alice@example-.com'],
  ['bad punycode', 'alice@xn--zz.com'],
  ['port', 'alice@example.com:25'],
  ['path', 'alice@example.com/x'],
  ['emoji domain made invalid by a space', 'alice@🙂 .com'],
];

describe('parseEmailAddress: hostile input', () => {
  it.each(hostile)('%s → invalid_input', (_label, input) => {
    const e = refusal(input);
    expect(e.code).toBe('invalid_input');
    expect(e.retryable).toBe(false);
  });

  it('no refusal echoes the input, or any part of it', () => {
    for (const [, input] of hostile) {
      if (typeof input !== 'string') continue;
      const e = refusal(input);
      const text = `${e.message}\n${String(e)}\n${e.stack ?? ''}`;
      expect(e.cause).toBeUndefined();
      for (const part of input.split(/[@\s]/)) if (part.length >= 4) expect(text).not.toContain(part);
    }
  });

  it('stays fast on long input (the length bound comes before any pattern)', () => {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) refusal(`${'a.'.repeat(5000)}@${'b.'.repeat(5000)}`);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('maskEmailAddress', () => {
  it("keeps the first character and the domain: 'alice@example.com' → 'a•••@example.com'", () => {
    expect(maskEmailAddress('alice@example.com')).toBe('a•••@example.com');
    expect(maskEmailAddress('a@example.com')).toBe('a•••@example.com'); // the length does not show
    expect(maskEmailAddress('Bob.Smith@Mail.Example.org')).toBe('B•••@mail.example.org');
    expect(maskEmailAddress('user@bücher.example')).toBe('u•••@xn--bcher-kva.example');
  });

  it('never echoes what is not a valid address', () => {
    for (const bad of ['alice', 'alice@example.com\r\nBcc: x@evil.test', '"secret stuff"@x.com', '']) {
      expect(maskEmailAddress(bad)).toBe('•••');
    }
    expect(maskEmailAddress(42 as unknown as string)).toBe('•••');
  });
});
