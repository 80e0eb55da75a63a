import type { RememberedDevice } from '../devices.js';
import type { FieldError, SessionData } from '../session.js';
import { formState, input, passwordConfirm, type FormState } from './form.js';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { day } from './time.js';

/** One method as this page shows it: its authenticator (active first, else pending), or 'available'. */
export interface MethodRow {
  method: string;
  /** The authenticator's id; absent for an available method. */
  id?: string;
  status: 'active' | 'pending' | 'unreadable' | 'available';
  display?: Record<string, string>;
  createdAt?: number;
  lastUsedAt?: number;
  remaining?: number;
}

export interface SecurityViewModel {
  csrf: string;
  /** For the hidden username field of password forms (password managers). */
  email: string;
  methods: MethodRow[];
  setup: Pick<SessionData, 'totpSetup' | 'phoneSetup'>;
  phoneChannels: readonly string[];
  /** Adding or replacing a method needs the password: no re-authentication in the last 5 minutes. */
  reauth: boolean;
  /** An error from the last form, shown at its input. */
  error?: FieldError;
  /** Remembered browsers, newest first, and which one this is. */
  devices: RememberedDevice[];
  thisDevice?: string;
}


/** "JBSW Y3DP EHPK 3PXP": a key typed by hand is easier to read in groups of four. */
export const groupsOfFour = (key: string) => key.match(/.{1,4}/g)?.join(' ') ?? key;

export function securityView(m: SecurityViewModel): SafeHtml {
  const row = (id: string) => m.methods.find((r) => r.method === id);
  // The focus goes to an error, else to the step in progress (a code to confirm).
  const state = formState(m.error, m.setup.totpSetup ? firstField(m, 'totp-confirm', 'totp-code') : m.setup.phoneSetup ? firstField(m, 'phone-confirm', 'phone-code') : undefined);
  return html`<section id="totp"><h2>Authenticator app</h2>${totpPart(m, row('totp'), state)}</section>
${row('phone') ? html`<section id="phone"><h2>Phone</h2>${phonePart(m, row('phone')!, state)}</section>` : ''}
${row('recovery') ? html`<section id="recovery"><h2>Recovery codes</h2>${recoveryPart(m, row('recovery')!, state)}</section>` : ''}
${m.devices.length || m.methods.some((r) => r.status === 'active') ? html`<section id="devices"><h2>Remembered devices</h2>${devicesPart(m)}</section>` : ''}`;
}

function devicesPart(m: SecurityViewModel): SafeHtml {
  if (m.devices.length === 0) {
    return html`<p>No browser is remembered. Tick "Remember this device" when you sign in with a code, and that
browser skips the code for 30 days.</p>`;
  }
  return html`<p>These browsers sign in with your password alone until the date shown, or until your
two-step settings change.</p>
<ul class="devices">${m.devices.map((d) => html`<li class="device"><span><strong>${d.name ?? 'A browser'}</strong>${d.id === m.thisDevice ? html` (this browser)` : ''}<br>
<span class="muted">Remembered ${day(d.createdAt)}, last used ${day(d.lastUsedAt)}, until ${day(d.expiresAt)}.</span></span>
<form method="post" action="/security/devices/forget">${csrfField(m.csrf)}<input type="hidden" name="id" value="${d.id}"><button class="secondary" aria-label="Forget ${d.name ?? 'this browser'}, remembered ${day(d.createdAt)}">Forget</button></form></li>`)}</ul>
<form method="post" action="/security/devices/forget-all">${csrfField(m.csrf)}<button class="secondary">Forget all devices</button></form>`;
}

/** A form's first input: its password when re-authentication is due, else `otherwise`. */
const firstField = (m: SecurityViewModel, form: string, otherwise: string) => (m.reauth ? `${form}-password` : otherwise);

function usage(r: MethodRow): SafeHtml {
  return html`<span class="muted">Added ${day(r.createdAt)}, last used ${day(r.lastUsedAt)}.</span>`;
}

/** The password field that adding or replacing a method needs when re-authentication is due. */
function reauthField(m: SecurityViewModel, form: string, state: FormState): SafeHtml | '' {
  return m.reauth ? passwordConfirm(`${form}-password`, m.email, state, 'Your password (to confirm it is you)') : '';
}

/** Opens a <details> whose form has the error, so the message and the focus are visible. */
const openIf = (state: FormState, id: string) => (state.error?.field === id ? html` open` : '');

function removeForm(m: SecurityViewModel, method: string, label: string, state: FormState): SafeHtml {
  const id = `remove-${method}-password`;
  return html`<details${openIf(state, id)}><summary>${label}</summary>
<form method="post" action="/security/remove">${csrfField(m.csrf)}<input type="hidden" name="method" value="${method}">
${passwordConfirm(id, m.email, state)}
<button class="danger">${label}</button></form></details>`;
}

function totpPart(m: SecurityViewModel, r: MethodRow | undefined, state: FormState): SafeHtml {
  const s = m.setup.totpSetup;
  if (s && r && r.status !== 'available') return totpSetup(m, s, r.status === 'active', state);
  if (r?.status === 'active') {
    return html`<p><strong>On.</strong> ${usage(r)}</p>
<details${openIf(state, 'totp-password')}><summary>Move to a new phone or app</summary>
<p>Set up the new one; the current one keeps working until the new one is confirmed.</p>
${totpStartForm(m, 'Set up a new authenticator app', state)}</details>
${removeForm(m, 'totp', 'Remove authenticator app', state)}`;
  }
  return html`<p>Use an app on your phone to make sign-in codes. Recommended.</p>
${totpStartForm(m, 'Set up authenticator app', state)}`;
}

function totpStartForm(m: SecurityViewModel, label: string, state: FormState): SafeHtml {
  return html`<form method="post" action="/security/totp">${csrfField(m.csrf)}${reauthField(m, 'totp', state)}
<button>${label}</button></form>`;
}

function totpSetup(m: SecurityViewModel, s: NonNullable<SessionData['totpSetup']>, replacing: boolean, state: FormState): SafeHtml {
  return html`<p>Scan this QR code with your authenticator app (Google Authenticator, 1Password, Authy…).
${replacing ? 'Your current app keeps working until you confirm the new one.' : ''}</p>
<div class="qr" role="img" aria-label="QR code of the key below">${trusted(s.qrSvg)}</div>
<p>On this phone? <a href="${s.uri}" id="otpauth-link">Open the key in your authenticator app</a>.</p>
<p>Or type the key by hand:<code class="secret" id="totp-secret">${groupsOfFour(s.secret)}</code></p>
<form method="post" action="/security/totp/confirm">${csrfField(m.csrf)}${reauthField(m, 'totp-confirm', state)}
${input({ id: 'totp-code', label: 'Then enter the 6-digit code it shows', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code' }, state)}
<button>Turn on</button></form>
<form method="post" action="/security/cancel">${csrfField(m.csrf)}<input type="hidden" name="method" value="totp"><button class="secondary">Cancel</button></form>`;
}

function phonePart(m: SecurityViewModel, r: MethodRow, state: FormState): SafeHtml {
  const where = r.display ? Object.values(r.display).join(' · ') : '';
  const s = m.setup.phoneSetup;
  if (s && r.status !== 'available') {
    return html`<p>We sent a code to <strong>${s.destination}</strong>${s.channel === 'call' ? ' by a phone call' : ' by text message'}.</p>
<form method="post" action="/security/phone/confirm">${csrfField(m.csrf)}${reauthField(m, 'phone-confirm', state)}
${input({ id: 'phone-code', label: 'Code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code' }, state)}
<button>Confirm phone</button></form>
<form method="post" action="/security/cancel">${csrfField(m.csrf)}<input type="hidden" name="method" value="phone"><button class="secondary">Use another number</button></form>`;
  }
  if (r.status === 'active') {
    const open = state.error?.field === 'phone-number' || state.error?.field === 'phone-password';
    return html`<p><strong>On</strong> for ${where}. ${usage(r)}</p>
<details${open ? html` open` : ''}><summary>Change number</summary>${phoneStartForm(m, 'Send a code to the new number', state)}</details>
${removeForm(m, 'phone', 'Remove phone', state)}`;
  }
  return html`<p>Get codes by text message or phone call.</p>
${phoneStartForm(m, 'Send confirmation code', state)}`;
}

function phoneStartForm(m: SecurityViewModel, label: string, state: FormState): SafeHtml {
  return html`<form method="post" action="/security/phone">${csrfField(m.csrf)}
${input({ id: 'phone-number', label: 'Mobile number', name: 'phoneNumber', type: 'tel', autocomplete: 'tel', placeholder: '+1 201 555 0123' }, state)}
<label for="phone-channel">Send codes by</label>
<select id="phone-channel" name="channel">${m.phoneChannels.map((c) => html`<option value="${c}">${c === 'sms' ? 'text message' : c === 'call' ? 'phone call' : c}</option>`)}</select>
${reauthField(m, 'phone', state)}
<button>${label}</button></form>`;
}

function recoveryPart(m: SecurityViewModel, r: MethodRow, state: FormState): SafeHtml {
  if (r.status !== 'active') return html`<p class="muted">You get recovery codes when you turn on an authenticator app or a phone.</p>`;
  return html`<p><strong id="recovery-remaining">${r.remaining ?? '?'}</strong> unused recovery codes left.
Each one lets you sign in once if you lose your phone.</p>
<form method="post" action="/security/recovery/regenerate">${csrfField(m.csrf)}
${passwordConfirm('regenerate-password', m.email, state)}
<button class="secondary">Make new codes (the old ones stop working)</button></form>`;
}
