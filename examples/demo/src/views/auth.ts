import type { FieldError } from '../session.js';
import { formState, input } from './form.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

export function loginView(csrf: string, email = '', error?: FieldError): SafeHtml {
  // The email is kept after a wrong password: the focus goes where typing is due.
  const state = formState(error, email ? 'login-password' : 'login-email');
  return html`<section>
<form method="post" action="/login">${csrfField(csrf)}
${input({ id: 'login-email', label: 'Email', name: 'email', type: 'email', autocomplete: 'username', value: email }, state)}
${input({ id: 'login-password', label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' }, state)}
<button>Log in</button>
</form>
<p class="muted">No account yet? <a href="/signup">Sign up</a>.</p>
</section>`;
}

export function signupView(csrf: string, email = '', error?: FieldError): SafeHtml {
  const state = formState(error, 'signup-email');
  return html`<section>
<form method="post" action="/signup">${csrfField(csrf)}
${input({ id: 'signup-email', label: 'Email', name: 'email', type: 'email', autocomplete: 'username', value: email }, state)}
${input({ id: 'signup-password', label: 'Password (at least 10 characters)', name: 'password', type: 'password', autocomplete: 'new-password', minlength: 10 }, state)}
<button>Create account</button>
</form>
</section>`;
}

export function homeView(email: string | undefined, methods: string[]): SafeHtml {
  if (!email) {
    return html`<section><p>This demo app shows two-step sign-in with <strong>twofa</strong>:
an authenticator app, a phone number and recovery codes.</p>
<p><a href="/signup">Create an account</a> or <a href="/login">log in</a>.</p></section>`;
  }
  return html`<section><p id="signed-in">You are signed in as <strong>${email}</strong>.</p>
<p>Two-step sign-in: ${methods.length ? html`<strong>on</strong> (${methods.join(', ')})` : html`<strong>off</strong>`}.
<a href="/security">Security settings</a></p></section>`;
}
