import type { FieldError } from '../session.js';
import { formState, input, passwordConfirm, usernameField } from './form.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

export interface PasswordViewModel {
  csrf: string;
  email: string;
  /** No 2FA on the account: the current password confirms it is the user. */
  askCurrent: boolean;
  error?: FieldError;
}

export function passwordView(m: PasswordViewModel): SafeHtml {
  const state = formState(m.error, m.askCurrent ? 'current-password' : 'new-password');
  return html`<section>
<p>${m.askCurrent
    ? 'Enter your current password, then the new one.'
    : 'With two-step sign-in on, this needs a code instead of your current password, unless you entered a code in the last 5 minutes.'}
Any other browser signed in to your account is signed out.</p>
<form method="post" action="/security/password">${csrfField(m.csrf)}
${m.askCurrent ? passwordConfirm('current-password', m.email, state, 'Current password', 'current') : usernameField(m.email)}
${input({ id: 'new-password', label: 'New password (at least 10 characters)', name: 'password', type: 'password', autocomplete: 'new-password', minlength: 10 }, state)}
<button>Change password</button>
</form>
<p class="muted"><a href="/security">Back to security settings</a></p>
</section>`;
}
