import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

export function loginView(csrf: string, email = ''): SafeHtml {
  return html`<section>
<form method="post" action="/login">${csrfField(csrf)}
<label>Email <input type="email" name="email" value="${email}" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button>Log in</button>
</form>
<p class="muted">No account yet? <a href="/signup">Sign up</a>.</p>
</section>`;
}

export function signupView(csrf: string, email = ''): SafeHtml {
  return html`<section>
<form method="post" action="/signup">${csrfField(csrf)}
<label>Email <input type="email" name="email" value="${email}" autocomplete="username" required></label>
<label>Password (at least 10 characters) <input type="password" name="password" autocomplete="new-password" minlength="10" required></label>
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
