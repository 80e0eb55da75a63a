import type { Requirement } from '@twofa/core';
import { html, type SafeHtml } from './html.js';
import { day } from './time.js';

/** The notice an account that must use 2FA sees on every page until it has it. */
export function requirementBanner(r: Requirement, path: string): SafeHtml | undefined {
  const link = path === '/security' ? '' : html` <a href="/security">Set it up now</a>.`;
  if (r.state === 'grace') {
    return html`<p class="banner" id="requirement">Your account must use two-step sign-in: set it up by <strong>${day(r.until)}</strong>.
After that date, signing in leads straight to setting it up.${link}</p>`;
  }
  if (r.state === 'overdue') {
    return html`<p class="banner" id="requirement">Your account must use two-step sign-in since <strong>${day(r.until)}</strong>.
Set up one of the ways below to continue.</p>`;
  }
  return undefined;
}
