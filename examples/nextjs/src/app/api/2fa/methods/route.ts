// GET /api/2fa/methods: the user's authenticators (empty: no second step due).
import { jsonAnswer, toResponse } from '../../../../../../recipes-shared/src/index.js';
import { route, twofa } from '../../../../lib/twofa.js';

export const GET = route(async (userId) => toResponse(jsonAnswer({ methods: await twofa().methods(userId) })));
