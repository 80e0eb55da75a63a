// The twofa login challenge in bare node:http: no framework, no middleware. The core only
// needs a user id and a code, so any framework (or none) can host it. JSON in, JSON out.
// Sessions, passwords and CSRF are left out for brevity: see examples/demo for those.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { consoleSender, createTwoFactor, isTwoFactorError, localVerifier, MemoryStore, phone, recoveryCodes, totp, type Clock, type TwoFactor } from '@twofa/core';

export function makeTwoFactor(clock?: Clock): TwoFactor {
  return createTwoFactor({
    issuer: 'Acme',
    store: new MemoryStore(),
    encryptionKeys: [process.env.TWOFA_ENCRYPTION_KEYS ?? randomBytes(32).toString('hex')],
    methods: [totp(), phone({ verifier: localVerifier({ sender: consoleSender() }) }), recoveryCodes()],
    ...(clock ? { clock } : {}),
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, string>> {
  let body = '';
  for await (const chunk of req) if ((body += chunk).length > 10_000) throw new Error('too large');
  const parsed: unknown = JSON.parse(body || '{}');
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
}

// In a real app `userId` comes from the session after the password check, never from the body.
const routes: Record<string, (twofa: TwoFactor, b: Record<string, string>) => Promise<unknown>> = {
  '/enroll': (twofa, b) =>
    b.method === 'phone' ? twofa.enroll(b.userId!, 'phone', { phoneNumber: b.phoneNumber! }) : twofa.enroll(b.userId!, 'totp', { label: b.userId }),
  // enrollmentId is the `id` /enroll returned.
  '/confirm': (twofa, b) => twofa.confirmEnrollment(b.userId!, b.enrollmentId!, b.code!),
  '/methods': (twofa, b) => twofa.methods(b.userId!),
  '/challenge': (twofa, b) => twofa.challenge(b.userId!, b.method ? { method: b.method } : {}),
  '/verify': (twofa, b) =>
    twofa.verify(b.userId!, b.challengeId ? { challengeId: b.challengeId, code: b.code! } : { method: b.method ?? 'totp', code: b.code! }),
};

export function createMinimalServer(twofa: TwoFactor): Server {
  return createServer(async (req, res) => {
    const route = req.method === 'POST' ? routes[req.url ?? ''] : undefined;
    const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (!route) return send(404, { error: 'not_found' });
    try {
      const result = await route(twofa, await readJson(req));
      // A wrong code is a result, not an exception: { ok: false, error, attemptsLeft, retryAt }.
      send(200, result);
    } catch (e) {
      // Stable codes (docs/errors.md) for the client to translate; never the message.
      send(isTwoFactorError(e) ? 400 : 500, { error: isTwoFactorError(e) ? e.code : 'internal' });
    }
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = createMinimalServer(makeTwoFactor()).listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
    console.log(`minimal twofa server on http://127.0.0.1:${(server.address() as { port: number }).port}`);
  });
}
