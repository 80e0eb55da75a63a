import type { OutboxEntry } from '../outbox.js';
import { html, type SafeHtml } from './html.js';

/** A list, not a table: on a phone each message wraps instead of scrolling sideways. */
export function outboxView(entries: readonly OutboxEntry[]): SafeHtml {
  return html`<p class="muted">Development only: the texts, calls and emails the console sender would have delivered, newest first.
This page does not exist when NODE_ENV=production or real providers are configured.</p>
<section><h2>Messages</h2>
${entries.length === 0
    ? html`<p id="outbox-empty">Nothing sent yet.</p>`
    : html`<ol class="messages" id="outbox">${entries.map((e) => html`<li class="message"><strong>${new Date(e.at).toISOString().slice(11, 19)} UTC</strong> · ${e.channel} to ${e.to}
${e.subject !== undefined ? html`<p class="subject">Subject: ${e.subject}</p>` : ''}<p class="body">${e.body}</p></li>`)}</ol>`}
</section>`;
}
