import { Router, type Request, type Response } from 'express';
import { field, page, type AppDeps } from '../deps.js';
import { rememberedDevice } from '../remember.js';
import type { Flash } from '../session.js';
import { homeView, loginView, signupView } from '../views/auth.js';
import { METHOD_NAMES } from '../views/challenge.js';
import { day, inWords } from '../views/time.js';

/** The user's active methods, in the order the challenge page offers them. */
export async function activeMethods(deps: AppDeps, userId: string): Promise<string[]> {
  const order = ['totp', 'phone', 'recovery'];
  const rank = (m: string) => (order.includes(m) ? order.indexOf(m) : order.length);
  const active = (await deps.twofa.methods(userId)).filter((m) => m.status === 'active').map((m) => m.method);
  return [...new Set(active)].sort((a, b) => rank(a) - rank(b));
}

/**
 * Both factors are done: a fresh session id for the signed-in user. A second factor just
 * verified counts as re-authentication for the next 5 minutes (adding a method, say).
 */
export function completeLogin(deps: AppDeps, req: Request, res: Response, userId: string, opts: { secondFactor?: boolean; flash?: Flash } = {}): void {
  deps.sessions.regenerate(req, res, { userId, ...(opts.secondFactor ? { reauthAt: deps.clock.now() } : {}), ...(opts.flash ? { flash: opts.flash } : {}) });
  deps.log(`login ok user=${userId}`);
  res.redirect(303, '/');
}

export function authRoutes(deps: AppDeps): Router {
  const r = Router();

  r.get('/', async (req, res) => {
    const id = req.session.data.userId;
    const user = id ? deps.users.get(id) : undefined;
    const methods = user ? (await activeMethods(deps, user.id)).map((m) => METHOD_NAMES[m] ?? m) : [];
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
    const methods = await activeMethods(deps, user.id);
    if (methods.length === 0) return completeLogin(deps, req, res, user.id);
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

  return r;
}
