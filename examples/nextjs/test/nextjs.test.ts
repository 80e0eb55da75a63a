import { expect, it } from 'vitest';
import { runRecipeTests } from '../../recipes-shared/src/recipe-tests.js';
import { setTwoFactor } from '../src/lib/twofa.js';
import { POST as verify } from '../src/app/api/2fa/verify/route.js';
import { serveRoutes } from './serve.js';

runRecipeTests('Next.js route handlers', async (twofa) => {
  setTwoFactor(twofa);
  const server = await serveRoutes();
  expect(server.routes).toEqual(['/api/2fa/challenge', '/api/2fa/confirm', '/api/2fa/enroll', '/api/2fa/methods', '/api/2fa/verify']);
  return server;
});

it('route handlers are plain functions of a Request: callable without a server', async () => {
  const res = await verify(new Request('http://localhost/api/2fa/verify', { method: 'POST', headers: { 'x-user-id': 'carol' }, body: JSON.stringify({ code: '123456' }) }));
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ error: 'not_enrolled' });
});
