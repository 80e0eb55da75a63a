/**
 * Normalises what a user typed as a code. Anything malformed comes back as null, which
 * callers treat as an ordinary wrong code (counted like any wrong guess), never a throw.
 */
export function normaliseDigits(input: string, length: number | readonly [number, number]): string | null {
  if (input.length > 64) return null;
  const code = input.replace(/[\s-]/g, '');
  const [min, max] = typeof length === 'number' ? [length, length] : length;
  if (code.length < min || code.length > max || !/^[0-9]+$/.test(code)) return null;
  return code;
}
