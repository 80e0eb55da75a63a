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
}

/** The page frame: nav, flash message, content. */
export function layout(ctx: PageContext, body: SafeHtml): string {
  const nav = ctx.user
    ? html`<a href="/">Home</a> <a href="/security">Security</a>
        <form method="post" action="/logout" class="inline">${csrfField(ctx.csrf)}<button>Log out</button></form>`
    : html`<a href="/login">Log in</a> <a href="/signup">Sign up</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${ctx.title} · twofa demo</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header><strong>Acme</strong> <span class="muted">twofa demo</span>
<nav>${nav} ${ctx.dev ? html`<a href="/dev/outbox" class="dev">Outbox (dev)</a>` : ''}</nav></header>
<main>
<h1>${ctx.title}</h1>
${ctx.flash ? html`<p class="flash ${ctx.flash.kind}" role="status">${ctx.flash.text}</p>` : ''}
${body}
</main>
</body>
</html>`.value;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export const stylesheet = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{display:flex;gap:1rem;align-items:center;padding:.75rem 1.5rem;background:#1d2330;color:#fff}
header nav{margin-left:auto;display:flex;gap:1rem;align-items:center}
header a{color:#cfe0ff} header button{background:none;border:0;color:#cfe0ff;cursor:pointer;font:inherit;padding:0}
.muted{color:#8a94a6} .dev{color:#ffd479!important}
main{max-width:44rem;margin:2rem auto;padding:0 1rem}
section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
h2{margin-top:0;font-size:1.15rem}
label{display:block;margin:.5rem 0}
input[type=text],input[type=email],input[type=password],input[type=tel],select{font:inherit;padding:.4rem .5rem;border:1px solid #b9c0cc;border-radius:4px;width:16rem}
button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid #2f5bd3;background:#2f5bd3;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2f5bd3} button.danger{background:#b42318;border-color:#b42318}
button[disabled]{opacity:.5;cursor:not-allowed}
form.inline{display:inline} form+form{margin-top:.75rem}
.flash{padding:.6rem .9rem;border-radius:6px} .flash.ok{background:#e3f6e8} .flash.error{background:#fde8e6}
.codes{columns:2;font-family:ui-monospace,monospace;font-size:1.05rem}
code.secret{font-size:1.05rem;letter-spacing:.05em;word-break:break-all}
.qr svg{width:200px;height:200px}
.tabs a{margin-right:1rem} .tabs a.current{font-weight:bold;text-decoration:none;color:inherit}
table{border-collapse:collapse;width:100%} td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
`;
