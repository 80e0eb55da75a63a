import type { Request, Response } from 'express';
import { activeAuthenticators } from './authenticators.js';
import { currentUser, type AppDeps } from './deps.js';
import { describeError } from './messages.js';
import { isAdmin, requirementFor } from './requirement.js';
import { redirectWith } from './session.js';
import type { StepUpAction } from './step-up.js';
import type { User } from './users.js';

/**
 * Why removing this authenticator is refused, if it is: an account that must use 2FA keeps
 * at least one way to sign in besides recovery codes.
 */
export async function removalRefused(deps: AppDeps, user: User, authenticatorId: string): Promise<string | undefined> {
  if (requirementFor(deps, user) === undefined) return undefined;
  const primaries = (await activeAuthenticators(deps, user.id)).filter((a) => !a.isBackup);
  if (primaries.length === 1 && primaries[0]!.id === authenticatorId) {
    return 'Your account must use two-step sign-in: add another way to sign in before removing this one.';
  }
  return undefined;
}

/** Runs a sensitive action whose second factor is fresh, and answers with a redirect. */
export async function perform(deps: AppDeps, req: Request, res: Response, action: StepUpAction): Promise<void> {
  const user = currentUser(res);
  try {
    switch (action.kind) {
      case 'remove': {
        const refused = await removalRefused(deps, user, action.authenticatorId);
        if (refused) return redirectWith(req, res, '/security', 'error', refused);
        const { removed } = await deps.twofa.remove(user.id, action.authenticatorId);
        if (removed.length === 0) return redirectWith(req, res, '/security', 'ok', `${action.label} was already removed.`);
        deps.log(`removed user=${user.id} authenticator=${action.authenticatorId}`);
        const off = removed.length > 1 ? ' Two-step sign-in is now off, and your recovery codes went with it.' : '';
        return redirectWith(req, res, '/security', 'ok', `${action.label} removed.${off} Remembered devices must pass two-step sign-in again.`);
      }
      case 'regenerate':
        req.session.data.newRecoveryCodes = await deps.twofa.regenerateRecoveryCodes(user.id);
        deps.log(`recovery codes regenerated user=${user.id}`);
        return redirectWith(req, res, '/security/recovery-codes', 'ok', 'New recovery codes made. The old ones no longer work.');
      case 'password': {
        deps.users.setPasswordHash(user.id, action.passwordHash);
        const ended = deps.sessions.endUser(user.id, req.session.id);
        deps.log(`password changed user=${user.id} other sessions ended=${ended}`);
        return redirectWith(req, res, '/security', 'ok', 'Password changed. Any other browser signed in to this account was signed out.');
      }
      case 'reset': {
        if (!isAdmin(deps, user) || action.userId === user.id) return redirectWith(req, res, '/admin', 'error', 'That reset is not allowed.');
        await deps.twofa.reset(action.userId, { actor: user.email, reason: action.reason });
        // What the demo keeps beside twofa goes too: the user's sessions, the lockout notice, open codes.
        deps.sessions.endUser(action.userId);
        deps.lockouts.clear(action.userId);
        deps.challenges.clear(action.userId);
        return redirectWith(req, res, '/admin', 'ok', `Two-step sign-in of ${action.email} was reset: every way to sign in, recovery code and remembered device is gone, and they were signed out.`);
      }
    }
  } catch (e) {
    deps.log(`${action.kind} failed user=${user.id} code=${(e as { code?: string }).code ?? 'unknown'}`);
    redirectWith(req, res, action.kind === 'reset' ? '/admin' : '/security', 'error', describeError(e, deps.clock.now()));
  }
}
