// POST /api/2fa/confirm { enrollmentId, code }: the first code from the app; the answer holds
// the recovery codes, once.
import { fieldsOf, resultAnswer, toResponse } from '../../../../../../recipes-shared/src/index.js';
import { body, route, twofa } from '../../../../lib/twofa.js';

export const POST = route(async (userId, request) => {
  const { enrollmentId, code } = fieldsOf(await body(request));
  return toResponse(resultAnswer(await twofa().confirmEnrollment(userId, enrollmentId ?? '', code ?? '')));
});
