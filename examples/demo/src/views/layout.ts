import { html, type SafeHtml } from './html.js';

export interface PageContext {
  title: string;
  csrf: string;
  /** Signed-in user's email, if any. */
  user?: string;
  /** Notice shown once above the page (from the last redirect). */
  flash?: { kind: 'ok' | 'error'; text: string };
  /** Show the dev outbox link. */
  dev: boolean;
  /** Show the admin link. */
  admin?: boolean;
  /** A standing notice for this account (required 2FA), above the page's own. */
  banner?: SafeHtml;
}

/** The page frame: nav, flash message, content, and a live region app.js speaks through. */
export function layout(ctx: PageContext, body: SafeHtml): string {
  const nav = ctx.user
    ? html`<a href="/">Home</a> <a href="/security">Security</a>${ctx.admin ? html` <a href="/admin">Admin</a>` : ''}
        <form method="post" action="/logout" class="inline">${csrfField(ctx.csrf)}<button>Log out</button></form>`
    : html`<a href="/login">Log in</a> <a href="/signup">Sign up</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${ctx.title} · twofa demo</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header><strong>Acme</strong> <span class="muted">twofa demo</span>
<nav>${nav} ${ctx.dev ? html`<a href="/dev/outbox" class="dev">Outbox<span class="wide"> (dev)</span></a>` : ''}</nav></header>
<main>
<h1>${ctx.title}</h1>
${ctx.banner ?? ''}
${ctx.flash ? html`<p class="flash ${ctx.flash.kind}" role="${ctx.flash.kind === 'error' ? 'alert' : 'status'}">${ctx.flash.text}</p>` : ''}
${body}
<p id="announce" class="sr-only" role="status"></p>
</main>
</body>
</html>`.value;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
