import type { Requirement } from '@twofa/core';
import type { RequiredBy } from '../requirement.js';
import type { FieldError } from '../session.js';
import { formState, input } from './form.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { day } from './time.js';

export interface AdminRow {
  id: string;
  email: string;
  /** The admin's own account: no toggle, no reset here. */
  self: boolean;
  /** Names of the methods the account has on. */
  methods: string[];
  requiredBy?: RequiredBy;
  requirement?: Requirement;
}

export interface AdminViewModel {
  csrf: string;
  rows: AdminRow[];
  error?: FieldError;
}

export function adminView(m: AdminViewModel): SafeHtml {
  const state = formState(m.error);
  return html`<p class="muted">Accounts of this demo, oldest first. A reset removes every way to sign in, the recovery
codes, remembered devices, lockouts and open codes of the account, and signs it out; the audit log records who did it and why.</p>
<section><h2>Accounts</h2><ul class="users">${m.rows.map((row) => html`<li class="user"><div><strong>${row.email}</strong>${row.self ? ' (you)' : ''}<br>
<span class="muted">Two-step sign-in: ${row.methods.length ? `on (${row.methods.join(', ')})` : 'off'}. ${required(row)}</span></div>
${row.self ? '' : html`<div class="actions">${row.requiredBy === 'list' ? '' : html`<form method="post" action="/admin/require">${csrfField(m.csrf)}<input type="hidden" name="id" value="${row.id}">
<input type="hidden" name="required" value="${row.requiredBy ? '0' : '1'}"><button class="secondary">${row.requiredBy ? 'Stop requiring two-step sign-in' : 'Require two-step sign-in'}<span class="sr-only"> for ${row.email}</span></button></form>`}
<details${state.error?.field === `reason-${row.id}` ? html` open` : ''}><summary>Reset two-step sign-in<span class="sr-only"> of ${row.email}</span></summary>
<form method="post" action="/admin/reset">${csrfField(m.csrf)}<input type="hidden" name="id" value="${row.id}">
${input({ id: `reason-${row.id}`, label: 'Reason (for the audit log)', name: 'reason', autocomplete: 'off', maxlength: 500, placeholder: 'Lost phone; identity checked by video call' }, state)}
<button class="danger">Reset two-step sign-in<span class="sr-only"> of ${row.email}</span></button></form></details></div>`}
</li>`)}</ul></section>`;
}

function required(row: AdminRow): string {
  if (!row.requiredBy) return 'Not required.';
  const by = row.requiredBy === 'list' ? 'Required by TWOFA_REQUIRED_EMAILS' : 'Required by an admin';
  const r = row.requirement;
  if (r?.state === 'grace') return `${by}: to set up by ${day(r.until)}.`;
  if (r?.state === 'overdue') return `${by}: overdue since ${day(r.until)}.`;
  return `${by}.`;
}
