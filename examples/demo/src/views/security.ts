import type { AuthenticatorInfo, MethodSummary } from '@twofa/core';
import type { RememberedDevice } from '../devices.js';
import type { CodeSetup, FieldError, SessionData } from '../session.js';
import { keyButton, keysElsewhere } from './challenge.js';
import { formState, input, passwordConfirm, type FormState } from './form.js';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { authenticatorLabel, destinationOf, METHOD_NAMES } from './names.js';
import { day, dayTag } from './time.js';

export interface SecurityViewModel {
  csrf: string;
  /** For the hidden username field of password forms (password managers). */
  email: string;
  /** The user's authenticators as twofa lists them (active, pending, unreadable), in its order. */
  authenticators: AuthenticatorInfo[];
  /** The configured methods: which can be added, and how many of each. */
  available: MethodSummary[];
  setup: Pick<SessionData, 'totpSetup' | 'webauthnSetup' | 'phoneSetup' | 'emailSetup'>;
  phoneChannels: readonly string[];
  /** Adding a method needs the password: neither it nor a second factor in the last 5 minutes. */
  reauth: boolean;
  /** An error from the last form, shown at its input. */
  error?: FieldError;
  /** Remembered browsers, newest first, and which one this is. */
  devices: RememberedDevice[];
  thisDevice?: string;
  /** Overdue for required 2FA: only the ways to set it up are shown. */
  enrollOnly: boolean;
  /** Security keys cannot work on this page's address: where they do. */
  keysAt?: string;
}

/** Each method's section: its heading, what it is, and how its list and forms are named. */
const SECTIONS = {
  totp: { heading: 'Authenticator apps', about: 'Use an app on your phone to make sign-in codes. Recommended.', first: 'Set up authenticator app', another: 'Add another authenticator app' },
  webauthn: {
    heading: 'Security keys and passkeys',
    about: 'A key you touch, or the screen lock of this phone or computer (a passkey). The strongest way in: a look-alike site gets nothing it can use.',
    first: 'Add a security key',
    another: 'Add another security key',
  },
  phone: { heading: 'Phones', about: 'Get codes by text message or phone call.', first: 'Add a phone', another: 'Add another phone' },
  email: { heading: 'Email addresses', about: 'Get codes by email. Weaker than an app or a phone if your mailbox shares this password.', first: 'Add an email address', another: 'Add another email address' },
} as const;
type Kind = keyof typeof SECTIONS;

/** "JBSW Y3DP EHPK 3PXP": a key typed by hand is easier to read in groups of four. */
export const groupsOfFour = (key: string) => key.match(/.{1,4}/g)?.join(' ') ?? key;

export function securityView(m: SecurityViewModel): SafeHtml {
  const s = m.setup;
  // The focus goes to an error, else to the step in progress (a code to confirm).
  const inProgress = s.totpSetup ? 'totp' : s.webauthnSetup ? 'webauthn' : s.phoneSetup ? 'phone' : s.emailSetup ? 'email' : undefined;
  const state = formState(m.error, inProgress ? firstField(m, `${inProgress}-confirm`, inProgress === 'webauthn' ? 'register-key' : `${inProgress}-code`) : undefined);
  const recovery = m.authenticators.find((a) => a.isBackup && a.status === 'active');
  const on = m.authenticators.some((a) => a.status === 'active');
  const shown = (Object.keys(SECTIONS) as Kind[]).filter((k) => m.available.some((x) => x.method === k && x.available) || m.authenticators.some((a) => a.method === k));
  return html`${shown.map((k) => methodSection(m, k, state))}
${recovery ? html`<section id="recovery"><h2>Recovery codes</h2>${recoveryPart(m, recovery)}</section>` : ''}
${m.enrollOnly ? '' : html`<section id="password"><h2>Password</h2><p><a href="/security/password">Change your password</a></p></section>`}
${!m.enrollOnly && (m.devices.length || on) ? html`<section id="devices"><h2>Remembered devices</h2>${devicesPart(m)}</section>` : ''}`;
}

function methodSection(m: SecurityViewModel, kind: Kind, state: FormState): SafeHtml {
  const text = SECTIONS[kind];
  const mine = m.authenticators.filter((a) => a.method === kind && a.status !== 'pending');
  const max = m.available.find((x) => x.method === kind)?.maxPerUser ?? 0;
  const setup = m.setup[`${kind}Setup`];
  const pending = m.authenticators.some((a) => a.method === kind && a.status === 'pending');
  let add: SafeHtml | string;
  if (kind === 'webauthn' && m.keysAt) add = keysElsewhere(m.keysAt);
  else if (setup && pending) add = kind === 'totp' ? totpSetup(m, m.setup.totpSetup!, state) : kind === 'webauthn' ? keySetup(m, m.setup.webauthnSetup!, state) : codeSetup(m, kind, setup as CodeSetup, state);
  else if (m.available.every((x) => x.method !== kind || !x.available)) add = '';
  else if (mine.length >= max) add = html`<p class="muted">You have as many as allowed (${max}). Remove one to add another.</p>`;
  else if (mine.length === 0) add = html`<p>${text.about}</p>${startForm(m, kind, text.first, state)}`;
  else add = html`<details${openIf(state, `${kind}-`)}><summary>${text.another}</summary>${startForm(m, kind, text.another, state)}</details>`;
  return html`<section id="${kind}"><h2>${text.heading}</h2>
${mine.length ? html`<ul class="authenticators">${mine.map((a) => authenticatorItem(m, a, state))}</ul>` : ''}
${add}</section>`;
}

/** One authenticator: its name, where it sends codes, when added and last used; rename and remove. */
function authenticatorItem(m: SecurityViewModel, a: AuthenticatorInfo, state: FormState): SafeHtml {
  const label = authenticatorLabel(a);
  const where = destinationOf(a);
  const last = m.authenticators.filter((x) => x.status === 'active' && !x.isBackup).length === 1 && a.status === 'active';
  const renameId = `rename-${a.id}`;
  return html`<li class="authenticator"><div><strong>${a.name ?? METHOD_NAMES[a.method]}</strong>${where ? html` <span class="destination">${where}</span>` : ''}<br>
<span class="muted">${a.status === 'unreadable' ? 'Cannot be read (its key is missing): remove it and add it again. ' : ''}Added ${dayTag(a.createdAt)}, last used ${dayTag(a.lastUsedAt)}.</span></div>
${m.enrollOnly ? '' : html`<div class="actions"><details${openIf(state, renameId)}><summary>Rename<span class="sr-only"> ${label}</span></summary>
<form method="post" action="/security/rename">${csrfField(m.csrf)}<input type="hidden" name="id" value="${a.id}">
${input({ id: renameId, label: 'New name', name: 'name', autocomplete: 'off', maxlength: 64, value: a.name ?? '' }, state)}
<button class="secondary">Save name</button></form></details>
<details><summary>Remove<span class="sr-only"> ${label}</span></summary>
<form method="post" action="/security/remove">${csrfField(m.csrf)}<input type="hidden" name="id" value="${a.id}">
<p>${last ? 'This is your only second step: removing it turns two-step sign-in off and deletes your recovery codes.' : 'Sign-in will no longer accept its codes.'}</p>
<button class="danger">Remove ${label}</button></form></details></div>`}
</li>`;
}

function devicesPart(m: SecurityViewModel): SafeHtml {
  if (m.devices.length === 0) {
    return html`<p>No browser is remembered. Tick "Remember this device" when you sign in with a code, and that
browser skips the code for 30 days.</p>`;
  }
  return html`<p>These browsers sign in with your password alone until the date shown, or until your
two-step settings change.</p>
<ul class="devices">${m.devices.map((d) => html`<li class="device"><span><strong>${d.name ?? 'A browser'}</strong>${d.id === m.thisDevice ? html` (this browser)` : ''}<br>
<span class="muted">Remembered ${dayTag(d.createdAt)}, last used ${dayTag(d.lastUsedAt)}, until ${dayTag(d.expiresAt)}.</span></span>
<form method="post" action="/security/devices/forget">${csrfField(m.csrf)}<input type="hidden" name="id" value="${d.id}"><button class="secondary" aria-label="Forget ${d.name ?? 'this browser'}, remembered ${day(d.createdAt)}">Forget</button></form></li>`)}</ul>
<form method="post" action="/security/devices/forget-all">${csrfField(m.csrf)}<button class="secondary">Forget all devices</button></form>`;
}

/** A form's first input: its password when re-authentication is due, else `otherwise`. */
const firstField = (m: SecurityViewModel, form: string, otherwise: string) => (m.reauth ? `${form}-password` : otherwise);

/** The password field that adding a method needs when re-authentication is due. */
function reauthField(m: SecurityViewModel, form: string, state: FormState): SafeHtml | '' {
  return m.reauth ? passwordConfirm(`${form}-password`, m.email, state, 'Your password (to confirm it is you)') : '';
}

/** Opens a <details> whose form has the error (an input id starting so), so the message and the focus are visible. */
const openIf = (state: FormState, idPrefix: string) => (state.error?.field.startsWith(idPrefix) ? html` open` : '');

const EXAMPLE_NAMES: Record<Kind, string> = { totp: 'Pixel', webauthn: 'Blue YubiKey', phone: 'Work phone', email: 'Personal' };

const nameField = (kind: Kind, state: FormState) =>
  input({ id: `${kind}-name`, label: `Name (optional), e.g. “${EXAMPLE_NAMES[kind]}”`, name: 'name', autocomplete: 'off', maxlength: 64, optional: true }, state);

function startForm(m: SecurityViewModel, kind: Kind, label: string, state: FormState): SafeHtml {
  const fields =
    kind === 'phone'
      ? html`${input({ id: 'phone-number', label: 'Mobile number', name: 'phoneNumber', type: 'tel', autocomplete: 'tel', placeholder: '+1 201 555 0123' }, state)}
<label for="phone-channel">Send codes by</label>
<select id="phone-channel" name="channel">${m.phoneChannels.map((c) => html`<option value="${c}">${c === 'sms' ? 'text message' : c === 'call' ? 'phone call' : c}</option>`)}</select>`
      : kind === 'email'
        ? input({ id: 'email-address', label: 'Email address', name: 'address', type: 'email', autocomplete: 'email' }, state)
        : '';
  const button = kind === 'phone' ? 'Send confirmation code' : kind === 'email' ? 'Email a confirmation code' : kind === 'webauthn' ? 'Add a security key' : label;
  return html`<form method="post" action="/security/${kind}">${csrfField(m.csrf)}
${nameField(kind, state)}
${fields}
${reauthField(m, kind, state)}
<button>${button}</button></form>`;
}

function totpSetup(m: SecurityViewModel, s: NonNullable<SessionData['totpSetup']>, state: FormState): SafeHtml {
  const replacing = m.authenticators.some((a) => a.method === 'totp' && a.status === 'active');
  return html`<p>Scan this QR code with your authenticator app (Google Authenticator, 1Password, Authy…).
${replacing ? 'Your other apps keep working as they are.' : ''}</p>
<div class="qr" role="img" aria-label="QR code of the key below">${trusted(s.qrSvg)}</div>
<p>On this phone? <a href="${s.uri}" id="otpauth-link">Open the key in your authenticator app</a>.</p>
<p>Or type the key by hand:<code class="secret" id="totp-secret">${groupsOfFour(s.secret)}</code></p>
<form method="post" action="/security/totp/confirm">${csrfField(m.csrf)}${reauthField(m, 'totp-confirm', state)}
${input({ id: 'totp-code', label: 'Then enter the 6-digit code it shows', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code' }, state)}
<button>Turn on</button></form>
${cancelForm(m, 'totp', 'Cancel')}`;
}

/** A security key being registered: the browser's prompt (app.js) answers, the form carries the answer. */
function keySetup(m: SecurityViewModel, s: NonNullable<SessionData['webauthnSetup']>, state: FormState): SafeHtml {
  return html`<p>Press the button, then touch your key or unlock this device when your browser asks.</p>
<form method="post" action="/security/webauthn/confirm" id="register-form">${csrfField(m.csrf)}${reauthField(m, 'webauthn-confirm', state)}
<input type="hidden" name="response" value="">
${keyButton('register', 'register-key', 'Register the key', s.options, 'register-form', state.focus === 'register-key')}</form>
${cancelForm(m, 'webauthn', 'Cancel')}`;
}

/** A phone or an address being added: the code sent to it confirms it. */
function codeSetup(m: SecurityViewModel, kind: 'phone' | 'email', s: CodeSetup, state: FormState): SafeHtml {
  const by = s.channel === 'call' ? 'by a phone call' : s.channel === 'email' ? 'by email' : 'by text message';
  return html`<p>We sent a code to <strong>${s.destination}</strong> ${by}.</p>
<form method="post" action="/security/${kind}/confirm">${csrfField(m.csrf)}${reauthField(m, `${kind}-confirm`, state)}
${input({ id: `${kind}-code`, label: 'Code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code' }, state)}
<button>${kind === 'phone' ? 'Confirm phone' : 'Confirm email address'}</button></form>
${cancelForm(m, kind, kind === 'phone' ? 'Use another number' : 'Use another address')}`;
}

const cancelForm = (m: SecurityViewModel, kind: Kind, label: string) =>
  html`<form method="post" action="/security/cancel">${csrfField(m.csrf)}<input type="hidden" name="method" value="${kind}"><button class="secondary">${label}</button></form>`;

function recoveryPart(m: SecurityViewModel, r: AuthenticatorInfo): SafeHtml {
  return html`<p><strong id="recovery-remaining">${r.remaining ?? '?'}</strong> unused recovery codes left.
Each one lets you sign in once if you lose your phone.</p>
${m.enrollOnly ? '' : html`<form method="post" action="/security/recovery/regenerate">${csrfField(m.csrf)}
<button class="secondary">Make new codes (the old ones stop working)</button></form>`}`;
}
