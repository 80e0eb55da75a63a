import { Router, type NextFunction, type Request, type Response } from 'express';
import { activeAuthenticators } from '../authenticators.js';
import { currentUser, field, page, type AppDeps } from '../deps.js';
import { isAdmin, requirementFor } from '../requirement.js';
import { fieldError, redirectWith } from '../session.js';
import { withFreshSecondFactor } from '../step-up.js';
import { adminView, type AdminRow } from '../views/admin.js';
import { METHOD_NAMES } from '../views/names.js';
import { day } from '../views/time.js';

/**
 * /admin, for the accounts in TWOFA_ADMIN_EMAILS (anyone else gets the 404 page): every
 * account with its 2FA, a toggle that makes 2FA required, and support's reset (with a
 * reason, after a fresh second factor of the admin's own).
 */
export function adminRoutes(deps: AppDeps): Router {
  const r = Router();
  r.use('/admin', (req: Request, res: Response, next: NextFunction) => {
    const user = req.session.data.userId ? deps.users.get(req.session.data.userId) : undefined;
    if (!isAdmin(deps, user)) return next('router');
    res.locals.user = user;
    next();
  });
  /** The account a form names, other than the admin's own. */
  const target = (req: Request, res: Response) => {
    const user = deps.users.get(field(req, 'id'));
    return user && user.id !== currentUser(res).id ? user : undefined;
  };

  r.get('/admin', async (req, res) => {
    const rows: AdminRow[] = [];
    for (const user of deps.users.all()) {
      const requiredBy = requirementFor(deps, user);
      const methods = [...new Set((await activeAuthenticators(deps, user.id)).filter((a) => !a.isBackup).map((a) => METHOD_NAMES[a.method] ?? a.method))];
      // Asking where a required account stands starts its grace period if nothing had yet.
      const requirement = requiredBy ? await deps.twofa.requirement(user.id, { required: true }) : undefined;
      rows.push({ id: user.id, email: user.email, self: user.id === currentUser(res).id, methods, ...(requiredBy ? { requiredBy } : {}), ...(requirement ? { requirement } : {}) });
    }
    const error = fieldError(req);
    page(deps, req, res, 'Admin', adminView({ csrf: req.session.data.csrf, rows, ...(error ? { error } : {}) }));
  });

  r.post('/admin/require', async (req, res) => {
    const user = target(req, res);
    if (!user) return redirectWith(req, res, '/admin', 'error', 'Choose another account.');
    if (requirementFor(deps, user) === 'list') return redirectWith(req, res, '/admin', 'error', `${user.email} is listed in TWOFA_REQUIRED_EMAILS: change it there.`);
    const required = field(req, 'required') === '1';
    deps.users.setRequired(user.id, required);
    const r = await deps.twofa.requirement(user.id, { required });
    deps.log(`2FA ${required ? 'required' : 'no longer required'} user=${user.id} by=${currentUser(res).id}`);
    const text =
      !required ? `${user.email} no longer has to use two-step sign-in.`
      : r.state === 'grace' ? `${user.email} must set up two-step sign-in by ${day(r.until)}.`
      : r.state === 'overdue' ? `${user.email} must use two-step sign-in and is overdue: their next sign-in leads straight to setting it up.`
      : `${user.email} must use two-step sign-in, and does.`;
    redirectWith(req, res, '/admin', 'ok', text);
  });

  r.post('/admin/reset', async (req, res) => {
    const user = target(req, res);
    if (!user) return redirectWith(req, res, '/admin', 'error', 'Choose another account: reset your own in Security settings.');
    const reason = field(req, 'reason').trim().replace(/\s+/g, ' ');
    if (!reason || reason.length > 500 || /\p{C}/u.test(reason)) {
      return redirectWith(req, res, '/admin', 'error', 'Say why, in up to 500 characters (it goes to the audit log).', `reason-${user.id}`);
    }
    await withFreshSecondFactor(deps, req, res, { kind: 'reset', userId: user.id, email: user.email, reason });
  });

  return r;
}
