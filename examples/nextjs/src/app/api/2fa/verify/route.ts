// POST /api/2fa/verify { challengeId, code } | { method: 'totp' | 'recovery', code }.
import { fieldsOf, resultAnswer, toResponse, verifyInputOf } from '../../../../../../recipes-shared/src/index.js';
import { body, route, twofa } from '../../../../lib/twofa.js';

export const POST = route(async (userId, request) => {
  const result = await twofa().verify(userId, verifyInputOf(fieldsOf(await body(request))));
  // On result.ok: mark the session signed in (rotate its id) here.
  return toResponse(resultAnswer(result));
});
