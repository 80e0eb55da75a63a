import type { OutboxEntry } from '../outbox.js';
import { html, type SafeHtml } from './html.js';

export function outboxView(entries: readonly OutboxEntry[]): SafeHtml {
  return html`<p class="muted">Development only: the texts and calls the console sender would have delivered, newest first.
This page does not exist when NODE_ENV=production or a real provider is configured.</p>
<section><table id="outbox">
<tr><th>Time (UTC)</th><th>To</th><th>Channel</th><th>Message</th></tr>
${entries.length === 0 ? html`<tr><td colspan="4">Nothing sent yet.</td></tr>` : ''}
${entries.map((e) => html`<tr class="message"><td>${new Date(e.at).toISOString().slice(11, 19)}</td><td>${e.to}</td><td>${e.channel}</td><td class="body">${e.body}</td></tr>`)}
</table></section>`;
}
