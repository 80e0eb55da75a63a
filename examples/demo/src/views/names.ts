import type { AuthenticatorInfo } from '@twofa/core';

export const METHOD_NAMES: Record<string, string> = {
  webauthn: 'Security key',
  totp: 'Authenticator app',
  phone: 'Phone',
  email: 'Email',
  recovery: 'Recovery code',
};

/** Where a phone or email authenticator sends its codes, masked ('+1 ••• ••• 0123', 'a•••@example.com'). */
export const destinationOf = (a: Pick<AuthenticatorInfo, 'display'>): string | undefined => a.display.phone ?? a.display.email;

/**
 * How the pages name one authenticator: the name the user gave it (else its method), and
 * for a phone or an email address the masked destination: "Work (+1 ••• ••• 0142)".
 */
export function authenticatorLabel(a: Pick<AuthenticatorInfo, 'method' | 'name' | 'display'>): string {
  const name = a.name ?? METHOD_NAMES[a.method] ?? a.method;
  const where = destinationOf(a);
  return where ? `${name} (${where})` : name;
}
