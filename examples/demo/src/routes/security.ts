import { Router, type Request, type Response } from 'express';
import { currentUser, field, page, requireUser, type AppDeps } from '../deps.js';
import { describeError, describeFailure } from '../messages.js';
import { redirectWith } from '../session.js';
import { METHOD_NAMES } from '../views/challenge.js';
import { securityView } from '../views/security.js';

const TO_SECURITY = '/security';

export function securityRoutes(deps: AppDeps, phoneChannels: readonly string[]): Router {
  const r = Router();
  r.use('/security', requireUser(deps));

  const fail = (req: Request, res: Response, e: unknown) => {
    deps.log(`security change failed user=${currentUser(res).id} code=${(e as { code?: string }).code ?? 'unknown'}`);
    redirectWith(req, res, TO_SECURITY, 'error', describeError(e, deps.clock.now()));
  };

  // Sensitive changes ask for the password again: a stolen session alone cannot strip 2FA.
  const passwordOk = async (req: Request, res: Response) => {
    const user = currentUser(res);
    return (await deps.users.authenticate(user.email, field(req, 'password').slice(0, 1024))) !== null;
  };

  r.get('/security', async (req, res) => {
    const data = req.session.data;
    const methods = await deps.twofa.methods(currentUser(res).id);
    const setup = { ...pick(data) };
    delete data.newRecoveryCodes; // shown once
    page(deps, req, res, 'Security settings', securityView({ csrf: data.csrf, methods, setup, phoneChannels }));
  });

  r.post('/security/totp', async (req, res) => {
    const user = currentUser(res);
    try {
      const e = await deps.twofa.enroll(user.id, 'totp', { label: user.email });
      req.session.data.totpSetup = { secret: String(e.secret), uri: String(e.uri), qrSvg: String(e.qrSvg) };
      res.redirect(303, `${TO_SECURITY}#totp`);
    } catch (e) {
      fail(req, res, e);
    }
  });

  r.post('/security/phone', async (req, res) => {
    const user = currentUser(res);
    const channel = phoneChannels.includes(field(req, 'channel')) ? field(req, 'channel') : phoneChannels[0];
    try {
      const e = await deps.twofa.enroll(user.id, 'phone', { phoneNumber: field(req, 'phoneNumber').slice(0, 40), channel });
      req.session.data.phoneSetup = { destination: String(e.destination), channel: String(e.channel) };
      res.redirect(303, `${TO_SECURITY}#phone`);
    } catch (e) {
      fail(req, res, e);
    }
  });

  // Confirms a pending enrollment with the code the app or the phone shows.
  for (const method of ['totp', 'phone'] as const) {
    r.post(`/security/${method}/confirm`, async (req, res) => {
      const user = currentUser(res);
      try {
        const result = await deps.twofa.confirmEnrollment(user.id, method, field(req, 'code').slice(0, 64));
        if (!result.ok) return redirectWith(req, res, `${TO_SECURITY}#${method}`, 'error', describeFailure(result, deps.clock.now()));
        delete req.session.data[method === 'totp' ? 'totpSetup' : 'phoneSetup'];
        if (result.recoveryCodes) req.session.data.newRecoveryCodes = result.recoveryCodes;
        deps.log(`enrolled user=${user.id} method=${method}`);
        redirectWith(req, res, TO_SECURITY, 'ok', `${METHOD_NAMES[method]} turned on.`);
      } catch (e) {
        fail(req, res, e);
      }
    });
  }

  r.post('/security/recovery/regenerate', async (req, res) => {
    if (!(await passwordOk(req, res))) return redirectWith(req, res, TO_SECURITY, 'error', 'That password is not right.');
    try {
      req.session.data.newRecoveryCodes = await deps.twofa.regenerateRecoveryCodes(currentUser(res).id);
      redirectWith(req, res, TO_SECURITY, 'ok', 'New recovery codes made. The old ones no longer work.');
    } catch (e) {
      fail(req, res, e);
    }
  });

  r.post('/security/remove', async (req, res) => {
    const method = field(req, 'method');
    if (!(await passwordOk(req, res))) return redirectWith(req, res, TO_SECURITY, 'error', 'That password is not right.');
    try {
      await deps.twofa.remove(currentUser(res).id, method);
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
    const row = (await deps.twofa.methods(user.id)).find((m) => m.method === method);
    if (row?.status === 'pending') await deps.twofa.remove(user.id, method).catch(() => undefined);
    delete req.session.data[method === 'totp' ? 'totpSetup' : 'phoneSetup'];
    res.redirect(303, TO_SECURITY);
  });

  return r;
}

function pick(d: Request['session']['data']) {
  return {
    ...(d.totpSetup ? { totpSetup: d.totpSetup } : {}),
    ...(d.phoneSetup ? { phoneSetup: d.phoneSetup } : {}),
    ...(d.newRecoveryCodes ? { newRecoveryCodes: d.newRecoveryCodes } : {}),
  };
}
