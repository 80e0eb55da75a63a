import { Router, type Request, type Response } from 'express';
import { activeAuthenticators } from '../authenticators.js';
import { field, page, type AppDeps } from '../deps.js';
import { rememberDevice, rememberedDevice } from '../remember.js';
import { requirementFor } from '../requirement.js';
import { redirectWith, type Flash } from '../session.js';
import { homeView, loginView, signupView } from '../views/auth.js';
import { html } from '../views/html.js';
import { METHOD_NAMES } from '../views/names.js';
import { day, inWords } from '../views/time.js';
import { secondFactorRoutes } from './challenge.js';

/** How long a password stays good for finishing the second step. */
const PENDING_MS = 10 * 60 * 1000;

/**
 * Both factors are done: a fresh session id for the signed-in user. The proof of the second
 * factor just verified lets sensitive actions go ahead for the next 5 minutes.
 */
export function completeLogin(deps: AppDeps, req: Request, res: Response, userId: string, opts: { proof?: string; flash?: Flash; to?: string } = {}): void {
  deps.sessions.regenerate(req, res, { userId, ...(opts.proof ? { proof: opts.proof } : {}), ...(opts.flash ? { flash: opts.flash } : {}) });
  deps.log(`login ok user=${userId}`);
  res.redirect(303, opts.to ?? '/');
}

export function authRoutes(deps: AppDeps, phoneChannels: readonly string[]): Router {
  const r = Router();

  r.get('/', async (req, res) => {
    const id = req.session.data.userId;
    const user = id ? deps.users.get(id) : undefined;
    const methods = user ? [...new Set((await activeAuthenticators(deps, user.id)).map((a) => METHOD_NAMES[a.method] ?? a.method))] : [];
    page(deps, req, res, user ? 'Welcome back' : 'Welcome', homeView(user?.email, methods));
  });

  r.get('/signup', (req, res) => page(deps, req, res, 'Sign up', signupView(req.session.data.csrf)));

  r.post('/signup', async (req, res) => {
    const email = field(req, 'email').trim();
    const password = field(req, 'password');
    const refuse = (status: number, field: string, text: string) =>
      page(deps, req, res, 'Sign up', signupView(req.session.data.csrf, email, { field, text }), status);
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) return refuse(400, 'signup-email', 'Enter an email address like name@example.com.');
    if (password.length < 10 || password.length > 1024) return refuse(400, 'signup-password', 'Choose a password of at least 10 characters.');
    const user = await deps.users.create(email, password);
    if (user === 'taken') return refuse(409, 'signup-email', 'That email already has an account. Log in instead.');
    deps.sessions.regenerate(req, res, { userId: user.id, flash: { kind: 'ok', text: 'Account created. Now protect it with a second step.' } });
    deps.log(`signup user=${user.id}`);
    res.redirect(303, '/security');
  });

  r.get('/login', (req, res) => {
    if (req.session.data.userId) return res.redirect(303, '/');
    page(deps, req, res, 'Log in', loginView(req.session.data.csrf));
  });

  r.post('/login', async (req, res) => {
    const email = field(req, 'email');
    const key = email.trim().toLowerCase();
    const until = deps.loginThrottle.blockedUntil(key);
    if (until !== undefined) {
      req.session.data.flash = { kind: 'error', text: `Too many failed logins for this account. Try again in ${inWords(until - deps.clock.now())}.` };
      return page(deps, req, res, 'Log in', loginView(req.session.data.csrf, email), 429);
    }
    const user = await deps.users.authenticate(email, field(req, 'password').slice(0, 1024));
    if (!user) {
      deps.loginThrottle.fail(key);
      deps.log('login failed (password)');
      const error = { field: 'login-password', text: 'That email and password do not match an account.' };
      return page(deps, req, res, 'Log in', loginView(req.session.data.csrf, email, error), 401);
    }
    deps.loginThrottle.reset(key);
    // Whether this account must use 2FA is the app's rule; twofa keeps since when, and the grace period.
    const requirement = await deps.twofa.requirement(user.id, { required: requirementFor(deps, user) !== undefined });
    if ((await activeAuthenticators(deps, user.id)).length === 0) {
      if (requirement.state !== 'overdue') return completeLogin(deps, req, res, user.id);
      if (!requirement.mayEnroll) {
        deps.log(`login refused (2FA overdue) user=${user.id}`);
        req.session.data.flash = { kind: 'error', text: 'Your account must use two-step sign-in and has none set up. Contact support to get back in.' };
        return page(deps, req, res, 'Log in', loginView(req.session.data.csrf, email), 403);
      }
      // Overdue: signed in with the password alone, to set up a second step at once (and nothing else).
      // (The security page's banner says why.)
      return completeLogin(deps, req, res, user.id, { to: '/security' });
    }
    const device = await rememberedDevice(deps, req, user.id);
    if (device) {
      // Say so: a person should know why no code was asked for, and where to undo it.
      const text = `Signed in without a code: this browser was remembered on ${day(device.createdAt)}. You can forget it in Security settings.`;
      deps.log(`login ok without a code (remembered device) user=${user.id}`);
      return completeLogin(deps, req, res, user.id, { flash: { kind: 'ok', text } });
    }
    // Password accepted; the second step is due. The user is not signed in yet.
    deps.sessions.regenerate(req, res, { pending: { userId: user.id, since: deps.clock.now() } });
    res.redirect(303, '/challenge');
  });

  r.post('/logout', (req, res) => {
    deps.sessions.destroy(req, res);
    res.redirect(303, '/login');
  });

  // The second step of the login: only a session whose password was just accepted may answer it.
  r.use(secondFactorRoutes(deps, phoneChannels, {
    base: '/challenge',
    title: 'Two-step sign-in',
    user(req, res) {
      const p = req.session.data.pending;
      if (p && deps.clock.now() - p.since <= PENDING_MS) return p.userId;
      delete req.session.data.pending;
      redirectWith(req, res, '/login', 'error', 'Please log in again.');
      return undefined;
    },
    intro: () => html`<p>Your account has two-step sign-in. Confirm it is you.</p>`,
    remember: true,
    cancel: () => html`<a href="/login">Use another account</a>`,
    none: (req, res, userId) => completeLogin(deps, req, res, userId),
    async verified(req, res, userId, proof) {
      if (field(req, 'remember') === '1') await rememberDevice(deps, req, res, userId);
      completeLogin(deps, req, res, userId, { proof });
    },
  }));

  return r;
}
