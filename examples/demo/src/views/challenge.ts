import type { OpenChallenge } from '../session.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { inWords } from './time.js';

export const METHOD_NAMES: Record<string, string> = {
  totp: 'Authenticator app',
  phone: 'Phone',
  recovery: 'Recovery code',
};

export interface ChallengeViewModel {
  csrf: string;
  /** The user's active methods, authenticator app first. */
  methods: string[];
  current: string;
  /** The open phone challenge, if a code was sent. */
  sent?: OpenChallenge;
  phoneChannels: readonly string[];
  now: number;
}

const CHANNEL_WORDS: Record<string, string> = { sms: 'Text me a code', call: 'Call me with a code', whatsapp: 'Send a WhatsApp code' };
const RESEND_WORDS: Record<string, string> = { sms: 'Text me a new code', call: 'Call me instead', whatsapp: 'Use WhatsApp instead' };

export function challengeView(m: ChallengeViewModel): SafeHtml {
  const tabs = m.methods.map((id) =>
    id === m.current
      ? html`<a class="current" aria-current="page">${METHOD_NAMES[id] ?? id}</a>`
      : html`<a href="/challenge?method=${id}">${METHOD_NAMES[id] ?? id}</a>`,
  );
  return html`<p>Your account has two-step sign-in. Confirm it is you.</p>
<nav class="tabs">${tabs}</nav>
<section>${m.current === 'phone' ? phonePart(m) : codeForm(m, m.current)}</section>
<p class="muted"><a href="/login">Use another account</a></p>`;
}

function phonePart(m: ChallengeViewModel): SafeHtml {
  const sent = m.sent && m.sent.method === 'phone' && m.sent.expiresAt > m.now ? m.sent : undefined;
  const wait = sent?.resendAt !== undefined && sent.resendAt > m.now ? sent.resendAt - m.now : 0;
  const sendButtons = m.phoneChannels.map(
    (ch) => html`<button name="channel" value="${ch}" class="secondary" ${wait ? 'disabled' : ''}>${sent ? (RESEND_WORDS[ch] ?? 'Send a new code') : (CHANNEL_WORDS[ch] ?? ch)}</button> `,
  );
  return html`${sent
      ? html`<p id="sent">We sent a code to <strong>${sent.destination ?? 'your phone'}</strong>${sent.channel === 'call' ? ' by a phone call' : ' by text message'}.
It works for ${inWords(sent.expiresAt - m.now)}.</p>${codeForm(m, 'phone')}`
      : html`<p>We will send a code to your phone.</p>`}
<form method="post" action="/challenge/send">${csrfField(m.csrf)}${sendButtons}</form>
${wait ? html`<p class="muted" id="cooldown">You can ask for a new code in ${inWords(wait)}.</p>` : ''}`;
}

function codeForm(m: ChallengeViewModel, method: string): SafeHtml {
  const label =
    method === 'totp' ? 'Enter the 6-digit code from your authenticator app'
    : method === 'recovery' ? 'Enter one of your recovery codes (each works once)'
    : 'Enter the code we sent';
  return html`<form method="post" action="/challenge/verify">${csrfField(m.csrf)}
<input type="hidden" name="method" value="${method}">
<label>${label} <input type="text" name="code" autocomplete="one-time-code" inputmode="${method === 'recovery' ? 'text' : 'numeric'}" required autofocus></label>
<label><input type="checkbox" name="remember" value="1"> Remember this device for 30 days</label>
<button>Verify</button>
</form>`;
}
