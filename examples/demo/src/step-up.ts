import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { perform } from './actions.js';
import { hasSecondFactor } from './authenticators.js';
import { currentUser, field, requireUser, type AppDeps } from './deps.js';
import { secondFactorRoutes } from './routes/challenge.js';
import { FRESH_SECONDS, redirectWith } from './session.js';
import { html } from './views/html.js';

/** A sensitive action that needs a second factor no older than 5 minutes. */
export type StepUpAction =
  | { kind: 'remove'; authenticatorId: string; label: string }
  | { kind: 'regenerate' }
  /** The new password, already hashed: the plain one is not kept while the code is asked for. */
  | { kind: 'password'; passwordHash: string }
  | { kind: 'reset'; userId: string; email: string; reason: string };

/** How long an action waits for its code. */
const WAIT_MS = 10 * 60_000;

export function describeAction(a: StepUpAction): string {
  switch (a.kind) {
    case 'remove':
      return `remove ${a.label}`;
    case 'regenerate':
      return 'make new recovery codes';
    case 'password':
      return 'change your password';
    case 'reset':
      return `reset two-step sign-in for ${a.email}`;
  }
}

/** Where the user came from, and goes back to on cancel. */
export const pageOf = (a: StepUpAction): string => (a.kind === 'reset' ? '/admin' : a.kind === 'password' ? '/security/password' : '/security');

/** Whether this session verified a second factor in the last 5 minutes (the proof kept at login or at the last step-up). */
export function secondFactorFresh(deps: AppDeps, req: Request, userId: string): Promise<boolean> {
  return deps.twofa.isFresh(req.session.data.proof, { userId, maxAgeSeconds: FRESH_SECONDS });
}

/**
 * Runs a sensitive action now if the session's second factor is fresh; otherwise keeps the
 * action and asks for a code first (/step-up), which then runs it.
 */
export async function withFreshSecondFactor(deps: AppDeps, req: Request, res: Response, action: StepUpAction): Promise<void> {
  const user = currentUser(res);
  if (await secondFactorFresh(deps, req, user.id)) return perform(deps, req, res, action);
  if (!(await hasSecondFactor(deps, user.id))) {
    return redirectWith(req, res, pageOf(action), 'error', 'Turn on two-step sign-in for your own account first: this needs a code from it.');
  }
  req.session.data.stepUp = { action, since: deps.clock.now(), id: randomBytes(16).toString('base64url') };
  res.redirect(303, '/step-up');
}

/** The action waiting for a code (and its id), if it has not waited too long. */
function waiting(deps: AppDeps, req: Request): { action: StepUpAction; id: string } | undefined {
  const s = req.session.data.stepUp;
  if (s && deps.clock.now() - s.since <= WAIT_MS) return s;
  delete req.session.data.stepUp;
  return undefined;
}

/** /step-up: the login challenge's page, for a signed-in user with an action waiting. */
export function stepUpRoutes(deps: AppDeps, phoneChannels: readonly string[]): Router {
  const r = Router();
  r.use('/step-up', requireUser(deps));
  r.use(secondFactorRoutes(deps, phoneChannels, {
    base: '/step-up',
    title: 'Confirm it is you',
    user(req, res) {
      if (waiting(deps, req)) return currentUser(res).id;
      redirectWith(req, res, '/security', 'error', 'Nothing was waiting for a code (after 10 minutes it is dropped). Try again.');
      return undefined;
    },
    intro: (req) => html`<p>To <strong>${describeAction(waiting(deps, req)!.action)}</strong>, enter a code from one of your ways to sign in.
After that, such changes need no new code for 5 minutes.</p>`,
    remember: false,
    // The code confirms the action this page showed, not one put in its place since (by someone holding the session cookie).
    hidden: (req) => ({ action: waiting(deps, req)!.id }),
    cancel: (req) => html`<a href="${pageOf(waiting(deps, req)!.action)}">Cancel</a>`,
    none: (req, res) => redirectWith(req, res, '/security', 'error', 'Two-step sign-in is off for your account: there is no code to ask for.'),
    async verified(req, res, userId, proof) {
      const w = waiting(deps, req);
      delete req.session.data.stepUp;
      if (!w || field(req, 'action') !== w.id) {
        // Not kept: a proof in this session would let whoever changed the action run it at once.
        deps.log(`step-up refused (the waiting action changed) user=${userId}`);
        return redirectWith(req, res, '/security', 'error', 'Nothing was changed: what was waiting for your code changed meanwhile. Start again.');
      }
      req.session.data.proof = proof;
      await perform(deps, req, res, w.action);
    },
  }));
  return r;
}
