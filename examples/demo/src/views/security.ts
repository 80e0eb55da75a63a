import type { SessionData } from '../session.js';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

/** The fields of twofa.methods() this page shows. */
export interface MethodRow {
  method: string;
  status: 'active' | 'pending' | 'available';
  display?: Record<string, string>;
  createdAt?: number;
  lastUsedAt?: number;
  remaining?: number;
}

export interface SecurityViewModel {
  csrf: string;
  methods: MethodRow[];
  setup: Pick<SessionData, 'totpSetup' | 'phoneSetup' | 'newRecoveryCodes'>;
  phoneChannels: readonly string[];
}

const day = (t?: number) => (t === undefined ? 'never' : new Date(t).toISOString().slice(0, 10));

export function securityView(m: SecurityViewModel): SafeHtml {
  const row = (id: string) => m.methods.find((r) => r.method === id);
  return html`${m.setup.newRecoveryCodes ? recoveryCodesOnce(m.setup.newRecoveryCodes) : ''}
<section id="totp"><h2>Authenticator app</h2>${totpPart(m, row('totp'))}</section>
${row('phone') ? html`<section id="phone"><h2>Phone</h2>${phonePart(m, row('phone')!)}</section>` : ''}
${row('recovery') ? html`<section id="recovery"><h2>Recovery codes</h2>${recoveryPart(m, row('recovery')!)}</section>` : ''}`;
}

function usage(r: MethodRow): SafeHtml {
  return html`<span class="muted">Added ${day(r.createdAt)}, last used ${day(r.lastUsedAt)}.</span>`;
}

function removeForm(csrf: string, method: string, label: string): SafeHtml {
  return html`<details><summary>${label}</summary>
<form method="post" action="/security/remove">${csrfField(csrf)}<input type="hidden" name="method" value="${method}">
<label>Confirm with your password <input type="password" name="password" autocomplete="current-password" required></label>
<button class="danger">${label}</button></form></details>`;
}

function totpPart(m: SecurityViewModel, r: MethodRow | undefined): SafeHtml {
  if (r?.status === 'active') return html`<p><strong>On.</strong> ${usage(r)}</p>${removeForm(m.csrf, 'totp', 'Remove authenticator app')}`;
  const s = m.setup.totpSetup;
  if (r?.status === 'pending' && s) {
    return html`<p>Scan this QR code with your authenticator app (Google Authenticator, 1Password, Authy…),
or type the key by hand.</p>
<div class="qr">${trusted(s.qrSvg)}</div>
<p>Key: <code class="secret" id="totp-secret">${s.secret}</code></p>
<form method="post" action="/security/totp/confirm">${csrfField(m.csrf)}
<label>Then enter the 6-digit code it shows <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required></label>
<button>Turn on</button></form>
<form method="post" action="/security/cancel">${csrfField(m.csrf)}<input type="hidden" name="method" value="totp"><button class="secondary">Cancel</button></form>`;
  }
  return html`<p>Use an app on your phone to make sign-in codes. Recommended.</p>
<form method="post" action="/security/totp">${csrfField(m.csrf)}<button>Set up authenticator app</button></form>`;
}

function phonePart(m: SecurityViewModel, r: MethodRow): SafeHtml {
  const where = r.display ? Object.values(r.display).join(' · ') : '';
  if (r.status === 'active') {
    return html`<p><strong>On</strong> for ${where}. ${usage(r)}</p>${removeForm(m.csrf, 'phone', 'Remove phone')}`;
  }
  const s = m.setup.phoneSetup;
  if (r.status === 'pending' && s) {
    return html`<p>We sent a code to <strong>${s.destination}</strong>${s.channel === 'call' ? ' by a phone call' : ' by text message'}.</p>
<form method="post" action="/security/phone/confirm">${csrfField(m.csrf)}
<label>Code <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required></label>
<button>Confirm phone</button></form>
<form method="post" action="/security/cancel">${csrfField(m.csrf)}<input type="hidden" name="method" value="phone"><button class="secondary">Use another number</button></form>`;
  }
  return html`<p>Get codes by text message or phone call.</p>
<form method="post" action="/security/phone">${csrfField(m.csrf)}
<label>Mobile number <input type="tel" name="phoneNumber" autocomplete="tel" placeholder="+1 201 555 0123" required></label>
<label>Send codes by <select name="channel">${m.phoneChannels.map((c) => html`<option value="${c}">${c === 'sms' ? 'text message' : c === 'call' ? 'phone call' : c}</option>`)}</select></label>
<button>Send confirmation code</button></form>`;
}

function recoveryPart(m: SecurityViewModel, r: MethodRow): SafeHtml {
  if (r.status !== 'active') return html`<p class="muted">You get recovery codes when you turn on an authenticator app or a phone.</p>`;
  return html`<p><strong id="recovery-remaining">${r.remaining ?? '?'}</strong> unused recovery codes left.
Each one lets you sign in once if you lose your phone.</p>
<form method="post" action="/security/recovery/regenerate">${csrfField(m.csrf)}
<label>Confirm with your password <input type="password" name="password" autocomplete="current-password" required></label>
<button class="secondary">Make new codes (the old ones stop working)</button></form>`;
}

function recoveryCodesOnce(codes: string[]): SafeHtml {
  return html`<section id="new-recovery-codes"><h2>Your recovery codes</h2>
<p>Save these somewhere safe now: this is the only time they are shown. Each works once.</p>
<ul class="codes">${codes.map((c) => html`<li><code class="recovery-code">${c}</code></li>`)}</ul></section>`;
}
