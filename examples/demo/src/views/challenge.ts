import type { FieldError, OpenChallenge } from '../session.js';
import { formState, input, type FormState } from './form.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { clockTime, inWords } from './time.js';

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
  /** Two-step sign-in is locked until then (too many wrong codes). */
  lockedUntil?: number;
  /** A wrong code, shown at the code field. */
  error?: FieldError;
}

const CHANNEL_WORDS: Record<string, string> = { sms: 'Text me a code', call: 'Call me with a code', whatsapp: 'Send a WhatsApp code' };
const RESEND_WORDS: Record<string, string> = { sms: 'Text me a new code', call: 'Call me instead', whatsapp: 'Use WhatsApp instead' };

/** Milliseconds until `t`, or 0 when it has passed. */
const until = (t: number | undefined, now: number) => (t !== undefined && t > now ? t - now : 0);

export function challengeView(m: ChallengeViewModel): SafeHtml {
  const tabs = m.methods.map((id) =>
    id === m.current
      ? html`<a class="current" aria-current="page">${METHOD_NAMES[id] ?? id}</a>`
      : html`<a href="/challenge?method=${id}">${METHOD_NAMES[id] ?? id}</a>`,
  );
  const lockWait = until(m.lockedUntil, m.now);
  return html`<p>Your account has two-step sign-in. Confirm it is you.</p>
<nav class="tabs" aria-label="Ways to confirm">${tabs}</nav>
${lockWait ? lockNotice(m.lockedUntil!, lockWait, m) : ''}
<section>${m.current === 'phone' ? phonePart(m, lockWait) : codeForm(m, m.current, lockWait)}</section>
<p class="muted"><a href="/login">Use another account</a></p>`;
}

/** While locked: until when, in words and as a time; app.js re-enables the form after it. */
function lockNotice(lockedUntil: number, wait: number, m: ChallengeViewModel): SafeHtml {
  const sendWait = until(m.sent?.resendAt, m.now);
  const enables = ['code-fields', ...(m.current === 'phone' && sendWait <= wait ? ['send'] : [])].join(' ');
  return html`<p class="flash error" id="locked" data-countdown="${Math.ceil(wait / 1000)}" data-enables="${enables}" data-done="You can try again now.">
Too many wrong codes. Two-step sign-in is locked until <strong>${clockTime(lockedUntil)}</strong>
(<span data-left>${inWords(wait)}</span> from now), for every way to confirm.</p>`;
}

function phonePart(m: ChallengeViewModel, lockWait: number): SafeHtml {
  const sent = m.sent && m.sent.method === 'phone' && m.sent.expiresAt > m.now ? m.sent : undefined;
  const wait = until(sent?.resendAt, m.now);
  const noCodeYet = !sent && !lockWait;
  const sendButtons = m.phoneChannels.map(
    (ch, i) => html`<button name="channel" value="${ch}" class="secondary"${noCodeYet && i === 0 ? html` autofocus` : ''}>${sent ? (RESEND_WORDS[ch] ?? 'Send a new code') : (CHANNEL_WORDS[ch] ?? ch)}</button> `,
  );
  return html`${sent
      ? html`<p id="sent">We sent a code to <strong>${sent.destination ?? 'your phone'}</strong>${sent.channel === 'call' ? ' by a phone call' : ' by text message'}.
It works for ${inWords(sent.expiresAt - m.now)}.</p>${codeForm(m, 'phone', lockWait)}`
      : html`<p>We will send a code to your phone.</p>`}
<form method="post" action="/challenge/send">${csrfField(m.csrf)}<fieldset id="send"${wait || lockWait ? html` disabled` : ''}><legend class="sr-only">Get a code</legend>${sendButtons}</fieldset></form>
${wait > lockWait
    ? html`<p class="muted" id="cooldown" data-countdown="${Math.ceil(wait / 1000)}" data-enables="send" data-done="You can ask for a new code now.">You can ask for a new code in <span data-left>${inWords(wait)}</span>.</p>`
    : ''}`;
}

function codeForm(m: ChallengeViewModel, method: string, lockWait: number): SafeHtml {
  const label =
    method === 'totp' ? 'Enter the 6-digit code from your authenticator app'
    : method === 'recovery' ? 'Enter one of your recovery codes (each works once)'
    : 'Enter the code we sent';
  const state: FormState = formState(m.error, 'code');
  return html`<form method="post" action="/challenge/verify">${csrfField(m.csrf)}
<input type="hidden" name="method" value="${method}">
<fieldset id="code-fields"${lockWait ? html` disabled` : ''}>
${input({ id: 'code', label, name: 'code', autocomplete: 'one-time-code', inputmode: method === 'recovery' ? 'text' : 'numeric' }, state)}
<label class="check"><input type="checkbox" name="remember" value="1"> Remember this device for 30 days</label>
<button>Verify</button>
</fieldset>
</form>`;
}
