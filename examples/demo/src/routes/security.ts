import { Router, type Request, type Response } from 'express';
import { currentUser, field, page, requireUser, type AppDeps } from '../deps.js';
import { describeError, describeFailure } from '../messages.js';
import { forgetThisDevice, thisDeviceId } from '../remember.js';
import { fieldError, recentlyReauthenticated, redirectWith } from '../session.js';
import { ISSUER } from '../twofa.js';
import { METHOD_NAMES } from '../views/challenge.js';
import { recoveryCodesView } from '../views/recovery.js';
import { securityView, type MethodRow } from '../views/security.js';
import type { Channel } from '@twofa/core';
import { activeMethods } from './auth.js';

// No #fragment in redirects: a page opened at a fragment ignores autofocus, and the focus
// (on the input with an error, or the next step) is what brings the form into view.
const TO_SECURITY = '/security';
const TO_CODES = '/security/recovery-codes';
/** The methods a form may name (anything else is refused before reaching twofa). */
const METHODS = ['totp', 'phone', 'recovery'];

/** One row per method for the page: its active authenticator (else the pending one), or available. */
async function methodRows(deps: AppDeps, userId: string): Promise<MethodRow[]> {
  const list = await deps.twofa.methods(userId);
  const rows: MethodRow[] = [];
  for (const m of deps.twofa.availableMethods()) {
    const mine = list.filter((a) => a.method === m.method);
    const a = mine.find((x) => x.status === 'active') ?? mine[0];
    if (a) rows.push({ method: a.method, id: a.id, status: a.status, display: a.display, createdAt: a.createdAt, ...(a.lastUsedAt !== undefined ? { lastUsedAt: a.lastUsedAt } : {}), ...(a.remaining !== undefined ? { remaining: a.remaining } : {}) });
    else if (!m.isBackup && m.available) rows.push({ method: m.method, status: 'available' });
  }
  return rows;
}

export function securityRoutes(deps: AppDeps, phoneChannels: readonly string[]): Router {
  const r = Router();
  r.use('/security', requireUser(deps));

  const fail = (req: Request, res: Response, e: unknown, inputId?: string) => {
    deps.log(`security change failed user=${currentUser(res).id} code=${(e as { code?: string }).code ?? 'unknown'}`);
    redirectWith(req, res, TO_SECURITY, 'error', describeError(e, deps.clock.now()), inputId);
  };

  /**
   * Checks the password of the form (throttled like logins: a stolen session must not be
   * able to guess it) and counts it as re-authentication for the next 5 minutes. On a wrong
   * one, redirects with the error at `inputId` and returns false.
   */
  const passwordOk = async (req: Request, res: Response, inputId: string): Promise<boolean> => {
    const user = currentUser(res);
    const until = deps.loginThrottle.blockedUntil(user.email);
    const password = field(req, 'password').slice(0, 1024);
    if (until === undefined && password && (await deps.users.authenticate(user.email, password))) {
      deps.loginThrottle.reset(user.email);
      req.session.data.reauthAt = deps.clock.now();
      return true;
    }
    if (password && until === undefined) deps.loginThrottle.fail(user.email);
    const text = until !== undefined ? 'Too many wrong passwords. Try again later.' : password ? 'That password is not right.' : 'Enter your password to confirm it is you.';
    redirectWith(req, res, TO_SECURITY, 'error', text, inputId);
    return false;
  };

  /** Adding or replacing a method, once one is active, needs the password again or a fresh second factor. */
  const reauthDue = async (req: Request, res: Response) =>
    !recentlyReauthenticated(req, deps.clock.now()) && (await activeMethods(deps, currentUser(res).id)).length > 0;

  /** True when the change may go ahead; otherwise it redirected with the error at the password field. */
  const reauthenticated = async (req: Request, res: Response, form: string) =>
    !(await reauthDue(req, res)) || passwordOk(req, res, `${form}-password`);

  r.get('/security', async (req, res) => {
    const data = req.session.data;
    const user = currentUser(res);
    const methods = await methodRows(deps, user.id);
    const setup = { ...(data.totpSetup ? { totpSetup: data.totpSetup } : {}), ...(data.phoneSetup ? { phoneSetup: data.phoneSetup } : {}) };
    const error = fieldError(req);
    const thisDevice = thisDeviceId(deps, req);
    page(deps, req, res, 'Security settings', securityView({
      csrf: data.csrf, email: user.email, methods, setup, phoneChannels, reauth: await reauthDue(req, res), ...(error ? { error } : {}),
      devices: await deps.devices.devices(user.id), ...(thisDevice ? { thisDevice } : {}),
    }));
  });

  // Forgetting a device takes access away, so it needs no password.
  r.post('/security/devices/forget', async (req, res) => {
    const id = field(req, 'id').slice(0, 64);
    const forgotten = id !== '' && (await deps.devices.forgetDevice(currentUser(res).id, id));
    if (forgotten && id === thisDeviceId(deps, req)) forgetThisDevice(deps, res);
    redirectWith(req, res, TO_SECURITY, 'ok', forgotten ? 'Device forgotten: it will be asked for a code at the next sign-in.' : 'That device was already forgotten.');
  });

  r.post('/security/devices/forget-all', async (req, res) => {
    const n = await deps.devices.forgetDevices(currentUser(res).id);
    forgetThisDevice(deps, res);
    redirectWith(req, res, TO_SECURITY, 'ok', `${n === 1 ? '1 device' : `${n} devices`} forgotten: every browser will be asked for a code at the next sign-in.`);
  });

  // New recovery codes, shown once: a reload finds them gone.
  r.get(TO_CODES, (req, res) => {
    const codes = req.session.data.newRecoveryCodes;
    delete req.session.data.newRecoveryCodes;
    const view = recoveryCodesView({ email: currentUser(res).email, issuer: ISSUER, now: deps.clock.now(), ...(codes ? { codes } : {}) });
    page(deps, req, res, codes ? 'Your recovery codes' : 'Recovery codes', view);
  });

  r.post('/security/totp', async (req, res) => {
    const user = currentUser(res);
    if (!(await reauthenticated(req, res, 'totp'))) return;
    try {
      const e = await deps.twofa.enroll(user.id, 'totp', { label: user.email });
      req.session.data.totpSetup = { id: e.id, secret: e.secret, uri: e.uri, qrSvg: e.qrSvg };
      res.redirect(303, TO_SECURITY);
    } catch (e) {
      fail(req, res, e);
    }
  });

  r.post('/security/phone', async (req, res) => {
    const user = currentUser(res);
    const channel = phoneChannels.includes(field(req, 'channel')) ? field(req, 'channel') : phoneChannels[0];
    if (!(await reauthenticated(req, res, 'phone'))) return;
    try {
      const e = await deps.twofa.enroll(user.id, 'phone', { phoneNumber: field(req, 'phoneNumber').slice(0, 40), channel: channel as Channel });
      req.session.data.phoneSetup = { id: e.id, destination: e.destination, channel: e.channel };
      res.redirect(303, TO_SECURITY);
    } catch (e) {
      fail(req, res, e, 'phone-number');
    }
  });

  // Confirms a pending enrollment with the code the app or the phone shows.
  for (const method of ['totp', 'phone'] as const) {
    r.post(`/security/${method}/confirm`, async (req, res) => {
      const user = currentUser(res);
      if (!(await reauthenticated(req, res, `${method}-confirm`))) return;
      const pending = method === 'totp' ? req.session.data.totpSetup : req.session.data.phoneSetup;
      if (!pending) return redirectWith(req, res, TO_SECURITY, 'error', 'Start again: that setup is no longer open.');
      try {
        const result = await deps.twofa.confirmEnrollment(user.id, pending.id, field(req, 'code').slice(0, 64));
        if (!result.ok) {
          deps.lockouts.noteFrom(user.id, result);
          return redirectWith(req, res, TO_SECURITY, 'error', describeFailure(result, deps.clock.now()), `${method}-code`);
        }
        delete req.session.data[method === 'totp' ? 'totpSetup' : 'phoneSetup'];
        // This page moves to the new app or number: the one it replaces goes.
        for (const old of await deps.twofa.methods(user.id)) {
          if (old.method === method && old.status === 'active' && old.id !== pending.id) await deps.twofa.remove(user.id, old.id);
        }
        deps.log(`enrolled user=${user.id} method=${method}`);
        if (!result.recoveryCodes) return redirectWith(req, res, TO_SECURITY, 'ok', `${METHOD_NAMES[method]} turned on.`);
        req.session.data.newRecoveryCodes = result.recoveryCodes;
        redirectWith(req, res, TO_CODES, 'ok', `${METHOD_NAMES[method]} turned on. Now save your recovery codes.`);
      } catch (e) {
        fail(req, res, e);
      }
    });
  }

  r.post('/security/recovery/regenerate', async (req, res) => {
    if (!(await passwordOk(req, res, 'regenerate-password'))) return;
    try {
      req.session.data.newRecoveryCodes = await deps.twofa.regenerateRecoveryCodes(currentUser(res).id);
      redirectWith(req, res, TO_CODES, 'ok', 'New recovery codes made. The old ones no longer work.');
    } catch (e) {
      fail(req, res, e);
    }
  });

  r.post('/security/remove', async (req, res) => {
    const method = field(req, 'method');
    if (!METHODS.includes(method)) return redirectWith(req, res, TO_SECURITY, 'error', 'Choose a method.');
    if (!(await passwordOk(req, res, `remove-${method}-password`))) return;
    try {
      const user = currentUser(res);
      for (const a of await deps.twofa.methods(user.id)) if (a.method === method) await deps.twofa.remove(user.id, a.id);
      deps.log(`removed user=${currentUser(res).id} method=${method}`);
      redirectWith(req, res, TO_SECURITY, 'ok', `${METHOD_NAMES[method] ?? 'Method'} removed. Remembered devices must pass two-step sign-in again.`);
    } catch (e) {
      fail(req, res, e);
    }
  });

  // Abandons an enrollment that was never confirmed; active methods need /remove.
  r.post('/security/cancel', async (req, res) => {
    const user = currentUser(res);
    const method = field(req, 'method');
    for (const a of await deps.twofa.methods(user.id)) {
      if (a.method === method && a.status === 'pending') await deps.twofa.remove(user.id, a.id).catch(() => undefined);
    }
    delete req.session.data[method === 'totp' ? 'totpSetup' : 'phoneSetup'];
    res.redirect(303, TO_SECURITY);
  });

  return r;
}
