// Recipe: twofa in a Fastify app. Handlers only call twofa; every TwoFactorError reaches the
// error handler, which maps its stable code to a status and a message with the one table in
// examples/recipes-shared/src/http.ts (docs/integrating.md, "HTTP statuses").
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isTwoFactorError } from '@twofa/core';
import { errorAnswer, fieldsOf, jsonAnswer, notSignedIn, resultAnswer, USER_HEADER, verifyInputOf, type HttpAnswer, type RecipeTwoFactor } from '../../recipes-shared/src/index.js';

const send = (reply: FastifyReply, a: HttpAnswer) => reply.code(a.status).headers(a.headers).send(a.body);

export function createApp(twofa: RecipeTwoFactor): FastifyInstance {
  const app = Fastify();
  // In your app: the user id your session holds after the password step, not a header.
  const user = (req: FastifyRequest) => req.headers[USER_HEADER] as string;

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/api/2fa/') && typeof req.headers[USER_HEADER] !== 'string') return send(reply, notSignedIn);
  });

  app.post('/api/2fa/enroll', async (req, reply) => {
    const { name } = fieldsOf(req.body);
    const { id, secret, uri, qrSvg, expiresAt } = await twofa.enroll(user(req), 'totp', { label: user(req), name });
    return send(reply, jsonAnswer({ id, secret, uri, qrSvg, expiresAt }));
  });
  app.post('/api/2fa/confirm', async (req, reply) => {
    const { enrollmentId, code } = fieldsOf(req.body);
    return send(reply, resultAnswer(await twofa.confirmEnrollment(user(req), enrollmentId ?? '', code ?? '')));
  });
  app.get('/api/2fa/methods', async (req, reply) => send(reply, jsonAnswer({ methods: await twofa.methods(user(req)) })));
  app.post('/api/2fa/challenge', async (req, reply) => {
    const { method } = fieldsOf(req.body);
    return send(reply, jsonAnswer({ ...(await twofa.challenge(user(req), { method: method ?? 'totp' })) }));
  });
  app.post('/api/2fa/verify', async (req, reply) => {
    const result = await twofa.verify(user(req), verifyInputOf(fieldsOf(req.body)));
    // On result.ok: mark the session signed in and give it a new id here.
    return send(reply, resultAnswer(result));
  });

  app.setErrorHandler((error, _req, reply) => {
    if (isTwoFactorError(error)) return send(reply, errorAnswer(error));
    // Fastify's own 4xx (a body that is not JSON, too large) keep their status; the rest is ours.
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return send(reply, { status, body: { error: 'bad_request', message: 'Check what you sent.' }, headers: {} });
    return send(reply, errorAnswer(error));
  });
  return app;
}
