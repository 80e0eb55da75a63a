import { Router, type Request, type Response } from 'express';
import type { Channel } from '@twofa/core';
import { perform, removalRefused } from '../actions.js';
import { hasSecondFactor, keysElsewhereFor } from '../authenticators.js';
import { currentUser, field, jsonField, page, requireUser, type AppDeps } from '../deps.js';
import { describeError, describeFailure } from '../messages.js';
import { forgetThisDevice, thisDeviceId } from '../remember.js';
import { requirementOf } from '../requirement.js';
import { fieldError, passwordRecentlyEntered, redirectWith } from '../session.js';
import { secondFactorFresh, withFreshSecondFactor } from '../step-up.js';
import { ISSUER } from '../twofa.js';
import { hashPassword } from '../users.js';
import { authenticatorLabel, METHOD_NAMES } from '../views/names.js';
import { passwordView } from '../views/password.js';
import { recoveryCodesView } from '../views/recovery.js';
import { securityView } from '../views/security.js';

// No #fragment in redirects: a page opened at a fragment ignores autofocus, and the focus
// (on the input with an error, or the next step) is what brings the form into view.
const TO_SECURITY = '/security';
const TO_CODES = '/security/recovery-codes';
const TO_PASSWORD = '/security/password';
/** The methods enrolled on this page, and where each keeps its setup in the session. */
const SETUP = { totp: 'totpSetup', webauthn: 'webauthnSetup', phone: 'phoneSetup', email: 'emailSetup' } as const;
type Enrolled = keyof typeof SETUP;
const isEnrolled = (m: string): m is Enrolled => m in SETUP;

/** A name the user gives an authenticator: trimmed, at most 64 characters, no control characters. */
function cleanName(raw: string): { name?: string; error?: string } {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name.length > 64) return { error: 'Use a name of at most 64 characters.' };
  if (/\p{C}/u.test(name)) return { error: 'Use letters, digits, spaces and punctuation only.' };
  return name ? { name } : {};
}

export function securityRoutes(deps: AppDeps, phoneChannels: readonly string[]): Router {
  const r = Router();
  r.use('/security', requireUser(deps));

  const fail = (req: Request, res: Response, e: unknown, inputId?: string, about?: 'phone' | 'email') => {
    deps.log(`security change failed user=${currentUser(res).id} code=${(e as { code?: string }).code ?? 'unknown'}`);
    redirectWith(req, res, TO_SECURITY, 'error', describeError(e, deps.clock.now(), about), inputId);
  };

  /**
   * Checks the password in the form's `name` field (throttled like logins: a stolen session
   * must not be able to guess it) and counts it as re-authentication for the next 5 minutes.
   * On a wrong one, redirects to `back` with the error at `inputId` and returns false.
   */
  const passwordOk = async (req: Request, res: Response, inputId: string, back = TO_SECURITY, name = 'password'): Promise<boolean> => {
    const user = currentUser(res);
    const until = deps.loginThrottle.blockedUntil(user.email);
    const password = field(req, name).slice(0, 1024);
    if (until === undefined && password && (await deps.users.authenticate(user.email, password))) {
      deps.loginThrottle.reset(user.email);
      req.session.data.reauthAt = deps.clock.now();
      return true;
    }
    if (password && until === undefined) deps.loginThrottle.fail(user.email);
    const text = until !== undefined ? 'Too many wrong passwords. Try again later.' : password ? 'That password is not right.' : 'Enter your password to confirm it is you.';
    redirectWith(req, res, back, 'error', text, inputId);
    return false;
  };

  /** Adding a method, once one is active, needs the password again or a second factor from the last 5 minutes. */
  const reauthDue = async (req: Request, res: Response) => {
    const user = currentUser(res);
    return !passwordRecentlyEntered(req, deps.clock.now()) && (await hasSecondFactor(deps, user.id)) && !(await secondFactorFresh(deps, req, user.id));
  };

  /** True when the change may go ahead; otherwise it redirected with the error at the password field. */
  const reauthenticated = async (req: Request, res: Response, form: string) =>
    !(await reauthDue(req, res)) || passwordOk(req, res, `${form}-password`);

  r.get('/security', async (req, res) => {
    const data = req.session.data;
    const user = currentUser(res);
    const error = fieldError(req);
    const thisDevice = thisDeviceId(deps, req);
    const setup = Object.fromEntries(Object.values(SETUP).filter((k) => data[k]).map((k) => [k, data[k]]));
    const keysAt = keysElsewhereFor(deps, req);
    page(deps, req, res, 'Security settings', securityView({
      csrf: data.csrf, email: user.email, authenticators: await deps.twofa.methods(user.id), available: deps.twofa.availableMethods(), setup, phoneChannels,
      reauth: await reauthDue(req, res), enrollOnly: requirementOf(res)?.state === 'overdue', ...(error ? { error } : {}), ...(keysAt ? { keysAt } : {}),
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

  // Starts adding an authenticator app, a phone or an email address, with the name the user gave it.
  for (const method of Object.keys(SETUP) as Enrolled[]) {
    r.post(`/security/${method}`, async (req, res) => {
      const user = currentUser(res);
      const { name, error } = cleanName(field(req, 'name'));
      if (error) return redirectWith(req, res, TO_SECURITY, 'error', error, `${method}-name`);
      if (!(await reauthenticated(req, res, method))) return;
      const named = name ? { name } : {};
      try {
        if (method === 'totp') {
          const e = await deps.twofa.enroll(user.id, 'totp', { label: user.email, ...named });
          req.session.data.totpSetup = { id: e.id, secret: e.secret, uri: e.uri, qrSvg: e.qrSvg };
        } else if (method === 'webauthn') {
          // The account name the key shows when it lists its passkeys.
          const e = await deps.twofa.enroll(user.id, 'webauthn', { userName: user.email, ...named });
          req.session.data.webauthnSetup = { id: e.id, options: JSON.stringify(e.options) };
        } else if (method === 'phone') {
          const channel = phoneChannels.includes(field(req, 'channel')) ? field(req, 'channel') : phoneChannels[0];
          const e = await deps.twofa.enroll(user.id, 'phone', { phoneNumber: field(req, 'phoneNumber').slice(0, 40), channel: channel as Channel, ...named });
          req.session.data.phoneSetup = { id: e.id, destination: e.destination, channel: e.channel };
        } else {
          const e = await deps.twofa.enroll(user.id, 'email', { address: field(req, 'address').slice(0, 320), ...named });
          req.session.data.emailSetup = { id: e.id, destination: e.destination, channel: 'email' };
        }
        res.redirect(303, TO_SECURITY);
      } catch (e) {
        if (method === 'totp' || method === 'webauthn') fail(req, res, e);
        else fail(req, res, e, method === 'phone' ? 'phone-number' : 'email-address', method);
      }
    });

    // Confirms the pending enrollment with the code the app shows or the one that was sent.
    r.post(`/security/${method}/confirm`, async (req, res) => {
      const user = currentUser(res);
      if (!(await reauthenticated(req, res, `${method}-confirm`))) return;
      const pending = req.session.data[SETUP[method]];
      if (!pending) return redirectWith(req, res, TO_SECURITY, 'error', 'Start again: that setup is no longer open.');
      // A security key answers with an object (app.js puts it in the form as JSON); the others with a code.
      const answer = method === 'webauthn' ? jsonField(req, 'response') : field(req, 'code').slice(0, 64);
      if (!answer) return redirectWith(req, res, TO_SECURITY, 'error', 'Your security key’s answer did not arrive. Try again.');
      try {
        const result = await deps.twofa.confirmEnrollment(user.id, pending.id, answer);
        if (!result.ok) {
          deps.lockouts.noteFrom(user.id, result);
          const key = method === 'webauthn';
          return redirectWith(req, res, TO_SECURITY, 'error', describeFailure(result, deps.clock.now(), key), key ? undefined : `${method}-code`);
        }
        delete req.session.data[SETUP[method]];
        deps.log(`enrolled user=${user.id} method=${method}`);
        if (!result.recoveryCodes) return redirectWith(req, res, TO_SECURITY, 'ok', `${METHOD_NAMES[method]} turned on.`);
        req.session.data.newRecoveryCodes = result.recoveryCodes;
        redirectWith(req, res, TO_CODES, 'ok', `${METHOD_NAMES[method]} turned on. Now save your recovery codes.`);
      } catch (e) {
        fail(req, res, e);
      }
    });
  }

  // A name only helps the user tell their authenticators apart: no re-authentication.
  r.post('/security/rename', async (req, res) => {
    const user = currentUser(res);
    const id = field(req, 'id').slice(0, 64);
    const { name, error } = cleanName(field(req, 'name'));
    if (error || !name) return redirectWith(req, res, TO_SECURITY, 'error', error ?? 'Enter a name.', `rename-${id}`);
    const a = (await deps.twofa.methods(user.id)).find((x) => x.id === id && !x.isBackup);
    if (!a) return redirectWith(req, res, TO_SECURITY, 'error', 'That one is not set up (any more).');
    try {
      await deps.twofa.rename(user.id, id, name);
      redirectWith(req, res, TO_SECURITY, 'ok', `Renamed to “${name}”.`);
    } catch (e) {
      fail(req, res, e);
    }
  });

  // Removing one authenticator, or making new recovery codes, needs a fresh second factor (step-up).
  r.post('/security/remove', async (req, res) => {
    const user = currentUser(res);
    const a = (await deps.twofa.methods(user.id)).find((x) => x.id === field(req, 'id') && !x.isBackup && x.status !== 'pending');
    if (!a) return redirectWith(req, res, TO_SECURITY, 'error', 'That one is not set up (any more).');
    const refused = await removalRefused(deps, user, a.id);
    if (refused) return redirectWith(req, res, TO_SECURITY, 'error', refused);
    await withFreshSecondFactor(deps, req, res, { kind: 'remove', authenticatorId: a.id, label: authenticatorLabel(a) });
  });

  r.post('/security/recovery/regenerate', (req, res) => withFreshSecondFactor(deps, req, res, { kind: 'regenerate' }));

  // Abandons an enrollment that was never confirmed; active ones need /remove.
  r.post('/security/cancel', async (req, res) => {
    const user = currentUser(res);
    const method = field(req, 'method');
    if (!isEnrolled(method)) return res.redirect(303, TO_SECURITY);
    for (const a of await deps.twofa.methods(user.id)) {
      if (a.method === method && a.status === 'pending') await deps.twofa.remove(user.id, a.id).catch(() => undefined);
    }
    delete req.session.data[SETUP[method]];
    res.redirect(303, TO_SECURITY);
  });

  // Changing the password: a fresh second factor when 2FA is on, else the current password.
  r.get(TO_PASSWORD, async (req, res) => {
    const user = currentUser(res);
    const error = fieldError(req);
    page(deps, req, res, 'Change your password', passwordView({ csrf: req.session.data.csrf, email: user.email, askCurrent: !(await hasSecondFactor(deps, user.id)), ...(error ? { error } : {}) }));
  });

  r.post(TO_PASSWORD, async (req, res) => {
    const user = currentUser(res);
    const next = field(req, 'password');
    if (next.length < 10 || next.length > 1024) return redirectWith(req, res, TO_PASSWORD, 'error', 'Choose a password of at least 10 characters.', 'new-password');
    if (!(await hasSecondFactor(deps, user.id))) {
      if (!(await passwordOk(req, res, 'current-password', TO_PASSWORD, 'current'))) return;
      return perform(deps, req, res, { kind: 'password', passwordHash: await hashPassword(next) });
    }
    await withFreshSecondFactor(deps, req, res, { kind: 'password', passwordHash: await hashPassword(next) });
  });

  return r;
}
