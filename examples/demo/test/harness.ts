import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generate } from 'otplib';
import type { AuditRecord } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { loadConfig } from '../src/config.js';
import { startDemo, type RunningDemo } from '../src/start.js';

export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/demo/', import.meta.url));

/** The demo in this process on 127.0.0.1:0, on a fake clock, with its log captured. */
export interface Harness {
  demo: RunningDemo;
  clock: FakeClock;
  /** App log lines: checked for codes and secrets at the end of each file. */
  log: string[];
  /** The console sender's terminal lines (these carry codes by design). */
  terminal: string[];
  browser: Browser;
  close(): Promise<void>;
}

/** `env`: more configuration, e.g. TWOFA_ADMIN_EMAILS. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const log: string[] = [];
  const terminal: string[] = [];
  const demo = await startDemo({
    config: loadConfig({ HOST: '127.0.0.1', PORT: '0', ...env }),
    clock,
    log: (l) => log.push(l),
    consoleWrite: (l) => terminal.push(l),
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // A fresh profile each launch (Playwright makes a temporary user-data-dir).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    demo, clock, log, terminal, browser,
    close: async () => {
      await browser.close();
      await demo.close();
    },
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Every browser test of the file leaves a screenshot of where it ended: `<prefix>-<test name>.png`. */
export function shotAfterEach(prefix: string, current: () => Page | undefined): void {
  afterEach(async (t) => {
    const page = current();
    if (page && !page.isClosed()) await shot(page, `${prefix}-${t.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
  });
}

/** The code an authenticator app would show now, on the test's clock. */
export function totpNow(secret: string, clock: FakeClock): Promise<string> {
  return generate({ secret, epoch: Math.floor(clock.now() / 1000) });
}

/** The first notice of the current page: a flash above it, or an error at an input. */
export async function notice(page: Page): Promise<string> {
  return ((await page.locator('main .flash, main .field-error').first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export async function signUp(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/signup`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button:has-text("Create account")');
  await page.waitForURL(`${url}/security`);
}

/** The key shown for typing by hand, without the spaces between its groups of four. */
export async function totpKey(page: Page): Promise<string> {
  return (await page.locator('#totp-secret').textContent())!.replace(/\s+/g, '');
}

/**
 * Enrolls an authenticator app the way a person would: reads the key off the page, enters
 * the code, reads the recovery codes and confirms they are saved (back on /security).
 */
export async function enrollTotp(page: Page, url: string, clock: FakeClock): Promise<{ secret: string; recoveryCodes: string[]; notice: string }> {
  await page.goto(`${url}/security`);
  await page.click('button:has-text("Set up authenticator app")');
  const secret = await totpKey(page);
  await page.fill('#totp-code', await totpNow(secret, clock));
  await page.click('button:has-text("Turn on")');
  await page.waitForSelector('#new-recovery-codes');
  const said = await notice(page);
  const recoveryCodes = await page.locator('.recovery-code').allTextContents();
  await saveRecoveryCodes(page, url);
  return { secret, recoveryCodes, notice: said };
}

/** On the recovery codes page: ticks "I have saved these codes" and continues to /security. */
export async function saveRecoveryCodes(page: Page, url: string): Promise<void> {
  await page.check('input[name=saved]');
  await Promise.all([page.waitForURL(`${url}/security?saved=1`), page.click('#new-recovery-codes button:has-text("Continue")')]);
}

export async function logIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button:has-text("Log in")')]);
}

export async function logOut(page: Page, url: string): Promise<void> {
  await page.click('button:has-text("Log out")');
  await page.waitForURL(`${url}/login`);
}

/** Submits a code on the challenge (or step-up) page for the current tab. */
export async function submitCode(page: Page, code: string, remember = false): Promise<void> {
  await page.fill('form[action$="/verify"] input[name=code]', code);
  if (remember) await page.check('input[name=remember]');
  await page.click('form[action$="/verify"] button');
  await page.waitForLoadState('domcontentloaded');
}

/** The newest code in the dev outbox, read from its page like a developer would. */
export async function latestOutboxCode(page: Page, url: string): Promise<string> {
  const outbox = await page.context().newPage();
  await outbox.goto(`${url}/dev/outbox`);
  const body = (await outbox.locator('#outbox .message .body').first().textContent()) ?? '';
  await outbox.close();
  const code = /\b(\d{6})\b/.exec(body)?.[1];
  if (!code) throw new Error('no code in the outbox');
  return code;
}

/** The records of the app log's audit trail (core's auditTrail, one JSON line each). */
export function audit(log: string[]): AuditRecord[] {
  return log.filter((l) => l.startsWith('audit ')).map((l) => JSON.parse(l.slice('audit '.length)) as AuditRecord);
}

/** The authenticator the last successful second step used, as the audit trail says. */
export function lastVerified(log: string[]): string | undefined {
  return audit(log).filter((r) => r.event === 'verification.succeeded').at(-1)?.authenticatorId;
}

/** Fails if any app log line contains one of the given secrets or codes. */
export function leaks(log: string[], secrets: string[]): string[] {
  return log.filter((line) => secrets.some((s) => s.length >= 6 && line.includes(s)));
}
