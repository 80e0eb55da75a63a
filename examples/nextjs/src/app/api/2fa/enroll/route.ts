// POST /api/2fa/enroll { name? }: starts enrolling an authenticator app; show qrSvg and secret.
import { fieldsOf, jsonAnswer, toResponse } from '../../../../../../recipes-shared/src/index.js';
import { body, route, twofa } from '../../../../lib/twofa.js';

export const POST = route(async (userId, request) => {
  const { name } = fieldsOf(await body(request));
  const { id, secret, uri, qrSvg, expiresAt } = await twofa().enroll(userId, 'totp', { label: userId, name });
  return toResponse(jsonAnswer({ id, secret, uri, qrSvg, expiresAt }));
});
