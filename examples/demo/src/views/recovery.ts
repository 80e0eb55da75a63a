import { html, type SafeHtml } from './html.js';
import { clockTime } from './time.js';

export interface RecoveryCodesViewModel {
  /** The new codes, present on the one view that shows them. */
  codes?: string[];
  email: string;
  issuer: string;
  now: number;
}

/** What the downloaded .txt file says. */
export function recoveryCodesText(m: Required<RecoveryCodesViewModel>): string {
  const made = `${new Date(m.now).toISOString().slice(0, 10)} ${clockTime(m.now)}`;
  return [`${m.issuer} recovery codes for ${m.email}`, `Made ${made}. Each code works once.`, '', ...m.codes, ''].join('\n');
}

/**
 * New recovery codes, shown once: copy (with app.js), download as .txt, or write down; then
 * "I have saved these codes". A reload shows them no more.
 */
export function recoveryCodesView(m: RecoveryCodesViewModel): SafeHtml {
  if (!m.codes) {
    return html`<section><p>Recovery codes are shown only once, right after they are made.</p>
<p>If you did not save them, <a href="/security#recovery">make new ones</a> (the old ones then stop working).</p></section>`;
  }
  const file = `data:text/plain;charset=utf-8,${encodeURIComponent(recoveryCodesText({ ...m, codes: m.codes }))}`;
  return html`<section id="new-recovery-codes"><h2>Save these somewhere safe now</h2>
<p>This is the only time they are shown. Each lets you sign in once if you lose your phone.</p>
<ol class="codes" id="recovery-code-list">${m.codes.map((c) => html`<li><code class="recovery-code">${c}</code></li>`)}</ol>
<p><button type="button" class="secondary" id="copy-codes" data-copy="recovery-code-list" hidden>Copy codes</button>
<a class="button secondary" id="download-codes" href="${file}" download="${m.issuer.toLowerCase()}-recovery-codes.txt">Download as a .txt file</a></p>
<form method="get" action="/security" data-confirm-leave>
<label class="check"><input type="checkbox" name="saved" value="1" required> I have saved these codes</label>
<button>Continue</button>
</form></section>`;
}
