import { html, type SafeHtml } from './html.js';

/** Durations and instants in plain words, e.g. "2 minutes 30 seconds", "12:40 UTC". */
export function inWords(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const part = (n: number, unit: string) => (n ? `${n} ${unit}${n === 1 ? '' : 's'}` : '');
  return [part(h, 'hour'), part(m, 'minute'), h ? '' : part(s, 'second')].filter(Boolean).join(' ') || '0 seconds';
}

export function clockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
}

/** A date as "2026-01-31" (UTC), or "never". */
export function day(epochMs: number | undefined): string {
  return epochMs === undefined ? 'never' : new Date(epochMs).toISOString().slice(0, 10);
}

/** The same in a <time> element, which the stylesheet keeps on one line. */
export function dayTag(epochMs: number | undefined): SafeHtml {
  return epochMs === undefined ? html`never` : html`<time datetime="${day(epochMs)}">${day(epochMs)}</time>`;
}
