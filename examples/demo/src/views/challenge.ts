import type { AuthenticatorInfo } from '@twofa/core';
import type { FieldError, OpenChallenge } from '../session.js';
import { formState, input, type FormState } from './form.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { authenticatorLabel, destinationOf } from './names.js';
import { clockTime, inWords } from './time.js';

export { METHOD_NAMES } from './names.js';

/**
 * The page that asks for a second factor: at login (/challenge) and before a sensitive
 * action (/step-up). One tab per active authenticator of the user.
 */
export interface ChallengeViewModel {
  /** Where the tabs link and the forms post: '/challenge' or '/step-up'. */
  base: string;
  /** What the page is for, above the tabs. */
  intro: SafeHtml;
  csrf: string;
  /** The user's active authenticators, authenticator apps first, recovery codes last. */
  choices: AuthenticatorInfo[];
  current: AuthenticatorInfo;
  /** The open challenge of the current authenticator's method, if a code was sent. */
  sent?: OpenChallenge;
  phoneChannels: readonly string[];
  now: number;
  /** Two-step sign-in is locked until then (too many wrong codes). */
  lockedUntil?: number;
  /** A wrong code, shown at the code field. */
  error?: FieldError;
  /** Offer "Remember this device" (at login only). */
  remember: boolean;
  /** More hidden fields of the code form. */
  hidden: Record<string, string>;
  /** A security key is the current choice: the challenge's options for the browser (JSON), when one is open. */
  keyOptions?: string;
  /** Security keys cannot work on this page's address (not an allowed origin): where they do. */
  keysAt?: string;
  /** The way out, under the form. */
  cancel: SafeHtml;
}

const CHANNEL_WORDS: Record<string, string> = { sms: 'Text me a code', call: 'Call me with a code', whatsapp: 'Send a WhatsApp code', email: 'Email me a code' };
const RESEND_WORDS: Record<string, string> = { sms: 'Text me a new code', call: 'Call me instead', whatsapp: 'Use WhatsApp instead', email: 'Email me a new code' };
const SENT_BY: Record<string, string> = { sms: 'by text message', call: 'by a phone call', whatsapp: 'on WhatsApp', email: 'by email' };

/** Methods whose code is sent (a challenge first); the others are typed straight away. */
const SENDS = new Set(['phone', 'email']);

/** Milliseconds until `t`, or 0 when it has passed. */
const until = (t: number | undefined, now: number) => (t !== undefined && t > now ? t - now : 0);

/** A tab's name: security keys share one tab (a challenge offers all of them at once). */
const choiceLabel = (a: AuthenticatorInfo) => (a.method === 'webauthn' ? 'Security key or passkey' : authenticatorLabel(a));

export function challengeView(m: ChallengeViewModel): SafeHtml {
  const tabs = m.choices.map((a) =>
    a.id === m.current.id
      ? html`<a class="current" aria-current="page">${choiceLabel(a)}</a>`
      : html`<a href="${m.base}?a=${a.id}">${choiceLabel(a)}</a>`,
  );
  const lockWait = until(m.lockedUntil, m.now);
  const part = m.current.method === 'webauthn' ? keyPart(m, lockWait) : SENDS.has(m.current.method) ? sendPart(m, lockWait) : codeForm(m, lockWait);
  return html`${m.intro}
<nav class="tabs" aria-label="Ways to confirm">${tabs}</nav>
${lockWait ? lockNotice(m.lockedUntil!, lockWait, m) : ''}
<section>${part}</section>
<p class="muted">${m.cancel}</p>`;
}

/** A security key or passkey: the button app.js wires to the browser's WebAuthn prompt; the form carries its answer. */
function keyPart(m: ChallengeViewModel, lockWait: number): SafeHtml {
  if (m.keysAt) return keysElsewhere(m.keysAt);
  return html`<p>Press the button, then touch your security key or unlock this device when your browser asks.</p>
<form method="post" action="${m.base}/verify" id="key-form">${csrfField(m.csrf)}
<input type="hidden" name="authenticatorId" value="${m.current.id}"><input type="hidden" name="response" value="">${hiddenFields(m)}
<fieldset id="code-fields"${lockWait ? html` disabled` : ''}>
${rememberBox(m)}
${keyButton('authenticate', 'use-key', 'Use your security key', m.keyOptions, 'key-form')}
</fieldset>
</form>`;
}

/** The button that runs a WebAuthn ceremony (app.js), the line its errors go to, and a word for browsers without scripts. */
export function keyButton(kind: 'register' | 'authenticate', id: string, label: string, options: string | undefined, form: string, focus = true): SafeHtml {
  return html`<button type="button" id="${id}" data-webauthn="${kind}" data-options="${options ?? ''}" data-form="${form}" data-status="key-status"${options ? '' : html` disabled`}${focus ? html` autofocus` : ''}>${label}</button>
<p class="key-status" id="key-status" role="alert" hidden></p>
<noscript><p>Security keys need JavaScript in this browser.</p></noscript>`;
}

/** On an address security keys are not bound to (an IP address): where they work. */
export function keysElsewhere(at: string): SafeHtml {
  return html`<p>Security keys are bound to a host name: they work when you open this site at <a href="${at}">${at}</a>.</p>`;
}

/** The open challenge, if it is the current authenticator's and still running. */
const sentToCurrent = (m: ChallengeViewModel) =>
  m.sent && m.sent.authenticatorId === m.current.id && m.sent.expiresAt > m.now ? m.sent : undefined;

/** While locked: until when, in words and as a time; app.js re-enables the form after it. */
function lockNotice(lockedUntil: number, wait: number, m: ChallengeViewModel): SafeHtml {
  const sendWait = until(sentToCurrent(m)?.resendAt, m.now);
  const enables = ['code-fields', ...(SENDS.has(m.current.method) && sendWait <= wait ? ['send'] : [])].join(' ');
  return html`<p class="flash error" id="locked" data-countdown="${Math.ceil(wait / 1000)}" data-enables="${enables}" data-done="You can try again now.">
Too many wrong codes. Two-step sign-in is locked until <strong>${clockTime(lockedUntil)}</strong>
(<span data-left>${inWords(wait)}</span> from now), for every way to confirm.</p>`;
}

/** A phone or an email address: send a code (again), then type it. */
function sendPart(m: ChallengeViewModel, lockWait: number): SafeHtml {
  const sent = sentToCurrent(m);
  const wait = until(sent?.resendAt, m.now);
  const noCodeYet = !sent && !lockWait;
  const channels = m.current.method === 'email' ? ['email'] : m.phoneChannels;
  const sendButtons = channels.map(
    (ch, i) => html`<button name="channel" value="${ch}" class="secondary"${noCodeYet && i === 0 ? html` autofocus` : ''}>${sent ? (RESEND_WORDS[ch] ?? 'Send a new code') : (CHANNEL_WORDS[ch] ?? ch)}</button> `,
  );
  const where = destinationOf(m.current);
  return html`${sent
      ? html`<p id="sent">We sent a code to <strong>${sent.destination ?? where ?? 'you'}</strong> ${SENT_BY[sent.channel ?? ''] ?? ''}.
It works for ${inWords(sent.expiresAt - m.now)}.</p>${codeForm(m, lockWait)}`
      : html`<p>We will send a code to <strong>${where ?? 'you'}</strong>.</p>`}
<form method="post" action="${m.base}/send">${csrfField(m.csrf)}<input type="hidden" name="authenticatorId" value="${m.current.id}">
<fieldset id="send"${wait || lockWait ? html` disabled` : ''}><legend class="sr-only">Get a code</legend>${sendButtons}</fieldset></form>
${wait > lockWait
    ? html`<p class="muted" id="cooldown" data-countdown="${Math.ceil(wait / 1000)}" data-enables="send" data-done="You can ask for a new code now.">You can ask for a new code in <span data-left>${inWords(wait)}</span>.</p>`
    : ''}`;
}

function codeForm(m: ChallengeViewModel, lockWait: number): SafeHtml {
  const a = m.current;
  const label =
    a.method === 'totp' ? `Enter the 6-digit code from your authenticator app${a.name ? ` “${a.name}”` : ''}`
    : a.method === 'recovery' ? 'Enter one of your recovery codes (each works once)'
    : 'Enter the code we sent';
  const state: FormState = formState(m.error, 'code');
  return html`<form method="post" action="${m.base}/verify">${csrfField(m.csrf)}
<input type="hidden" name="authenticatorId" value="${a.id}">${hiddenFields(m)}
<fieldset id="code-fields"${lockWait ? html` disabled` : ''}>
${input({ id: 'code', label, name: 'code', autocomplete: 'one-time-code', inputmode: a.method === 'recovery' ? 'text' : 'numeric' }, state)}
${rememberBox(m)}
<button>Verify</button>
</fieldset>
</form>`;
}

const hiddenFields = (m: ChallengeViewModel) => Object.entries(m.hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);

const rememberBox = (m: ChallengeViewModel) =>
  m.remember ? html`<label class="check"><input type="checkbox" name="remember" value="1"> Remember this device for 30 days</label>` : '';
