// One manager per process, shared by every route handler (lib/twofa.ts in a Next.js app).
// On serverless or several instances, give it redisStore() or postgresStore(): instances do
// not share memory, so MemoryStore would forget attempts between requests.
import { errorAnswer, notSignedIn, recipeTwoFactor, toResponse, USER_HEADER, type RecipeTwoFactor } from '../../../recipes-shared/src/index.js';

let instance: RecipeTwoFactor | undefined;

/** The app's manager, made on first use. */
export function twofa(): RecipeTwoFactor {
  return (instance ??= recipeTwoFactor());
}

/** Tests put a manager on a fake clock in its place. */
export function setTwoFactor(t: RecipeTwoFactor): void {
  instance = t;
}

/**
 * Wraps a route handler: the signed-in user (in your app: from your auth library or
 * `cookies()` of next/headers, not a header), and every TwoFactorError as its HTTP status.
 */
export function route(handler: (userId: string, request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    const userId = request.headers.get(USER_HEADER);
    if (!userId) return toResponse(notSignedIn);
    try {
      return await handler(userId, request);
    } catch (e) {
      return toResponse(errorAnswer(e));
    }
  };
}

/** The request's JSON body, or `{}`. */
export const body = (request: Request): Promise<unknown> => request.json().catch(() => ({}));
