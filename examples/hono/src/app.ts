// Recipe: twofa in a Hono app. The second step of a login as a JSON API: enroll an
// authenticator app, confirm it (recovery codes, shown once), challenge and verify, sign in
// with a recovery code. Statuses and messages come from the one table in
// examples/recipes-shared/src/http.ts (docs/integrating.md, "HTTP statuses").
import { Hono, type Context } from 'hono';
import { errorAnswer, fieldsOf, jsonAnswer, notSignedIn, resultAnswer, toResponse, USER_HEADER, verifyInputOf, type RecipeTwoFactor } from '../../recipes-shared/src/index.js';

export function createApp(twofa: RecipeTwoFactor): Hono {
  const app = new Hono();
  // In your app: the user id your session holds after the password step, not a header.
  const user = (c: Context) => c.req.header(USER_HEADER);
  const fields = async (c: Context) => fieldsOf(await c.req.json().catch(() => ({})));

  app.use('/api/2fa/*', async (c, next) => (user(c) ? next() : toResponse(notSignedIn)));

  app.post('/api/2fa/enroll', async (c) => {
    const { name } = await fields(c);
    const { id, secret, uri, qrSvg, expiresAt } = await twofa.enroll(user(c)!, 'totp', { label: user(c)!, name });
    return toResponse(jsonAnswer({ id, secret, uri, qrSvg, expiresAt }));
  });
  app.post('/api/2fa/confirm', async (c) => {
    const { enrollmentId, code } = await fields(c);
    return toResponse(resultAnswer(await twofa.confirmEnrollment(user(c)!, enrollmentId ?? '', code ?? '')));
  });
  app.get('/api/2fa/methods', async (c) => toResponse(jsonAnswer({ methods: await twofa.methods(user(c)!) })));
  app.post('/api/2fa/challenge', async (c) => {
    const { method } = await fields(c);
    return toResponse(jsonAnswer({ ...(await twofa.challenge(user(c)!, { method: method ?? 'totp' })) }));
  });
  app.post('/api/2fa/verify', async (c) => {
    const result = await twofa.verify(user(c)!, verifyInputOf(await fields(c)));
    // On result.ok: mark the session signed in and give it a new id here.
    return toResponse(resultAnswer(result));
  });

  // Every TwoFactorError (not_enrolled, locked, resend_cooldown, …) by its stable code.
  app.onError((e) => toResponse(errorAnswer(e)));
  return app;
}
