// POST /api/2fa/challenge { method? }: opens a challenge (a phone method would send its code).
import { fieldsOf, jsonAnswer, toResponse } from '../../../../../../recipes-shared/src/index.js';
import { body, route, twofa } from '../../../../lib/twofa.js';

export const POST = route(async (userId, request) => {
  const { method } = fieldsOf(await body(request));
  return toResponse(jsonAnswer({ ...(await twofa().challenge(userId, { method: method ?? 'totp' })) }));
});
