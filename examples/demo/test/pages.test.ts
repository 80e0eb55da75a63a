import { writeFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { ARTIFACTS, enrollTotp, latestOutboxCode, logIn, logOut, saveRecoveryCodes, signUp, startHarness, submitCode, totpKey, totpNow, type Harness } from './harness.js';

// The whole flow as a person walks it, on a desktop and on a 360 px phone. On every page:
// axe-core finds no serious or critical violation, nothing scrolls sideways, and a
// screenshot is saved (test-artifacts/demo/pages-<size>-<page>.png) to look at.
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['phone', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }],
];

/** Problems axe does not look for, found in the page's DOM. */
const FORM_RULES = `(() => {
  const out = [];
  for (const e of document.querySelectorAll('.field-error')) {
    const input = document.querySelector('[aria-describedby~="' + e.id + '"]');
    if (!input || input.getAttribute('aria-invalid') !== 'true') out.push('error not tied to an input: ' + e.id);
  }
  for (const f of document.querySelectorAll('form')) {
    if (f.querySelector('input[autocomplete=current-password]') && !f.querySelector('input[autocomplete=username]')) out.push('no username field: ' + f.getAttribute('action'));
  }
  for (const s of document.querySelectorAll('script')) if (!s.src) out.push('inline script');
  return out;
})()`;

let h: Harness;
/** Violations by page and impact, for the report (test-artifacts/demo/axe.json). */
const report: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  // Each size's account is an admin; the 'late-' accounts must use 2FA (within the default 14 days).
  h = await startHarness({
    TWOFA_ADMIN_EMAILS: SIZES.map(([size]) => `pages-${size}@example.com`).join(','),
    TWOFA_REQUIRED_EMAILS: SIZES.map(([size]) => `late-${size}@example.com`).join(','),
  });
});
afterAll(async () => {
  writeFileSync(`${ARTIFACTS}axe.json`, `${JSON.stringify(report, null, 2)}\n`);
  await h?.close();
});

describe.each(SIZES)('every page at %s size', (size, options) => {
  let ctx: BrowserContext;
  let page: Page;
  let url: string;
  /** Console errors and failed requests (a missing favicon shows up here), with the URL they are about. */
  const problems: { url: string; text: string }[] = [];
  /** Pages answered with 4xx on purpose (a refused form, the 404 page). */
  const refusedPages = new Set<string>();
  const email = `pages-${size}@example.com`;
  const password = 'a long enough password';
  const seen: string[] = [];
  let secret = '';

  beforeAll(async () => {
    url = h.demo.url.replace('127.0.0.1', 'localhost'); // security keys are bound to a host name
    ctx = await h.browser.newContext(options);
    page = await ctx.newPage();
    // A security key: Chromium's virtual authenticator, answering by itself.
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    page.on('console', (m) => void (m.type() === 'error' && problems.push({ url: m.location().url, text: m.text() })));
    page.on('response', (r) => {
      if (r.status() < 400) return;
      if (r.request().resourceType() === 'document') refusedPages.add(r.url());
      else problems.push({ url: r.url(), text: String(r.status()) });
    });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  /**
   * The checks every page gets. `focus`: the input that should have the focus (the first
   * field of the form the page is for, or the one with an error).
   */
  async function check(name: string, focus?: string): Promise<void> {
    await page.waitForLoadState('load');
    // Autofocus happens at the first rendering after load: ask until it has.
    await expect.poll(() => page.evaluate('document.activeElement.id'), { message: `${name}: focus` }).toBe(focus ?? '');
    // Errors are tied to their input; password confirmations name the account; no inline script.
    expect(await page.evaluate(FORM_RULES), name).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}pages-${size}-${name}.png`, fullPage: true });
    // Every rule (WCAG 2.0–2.2 A/AA and best practices). Legacy mode runs axe in the page itself
    // instead of finishing in a new blank page each time: the pages have no iframes.
    const axe = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
    const counts: Record<string, number> = {};
    for (const v of axe.violations) counts[v.impact ?? 'unknown'] = (counts[v.impact ?? 'unknown'] ?? 0) + v.nodes.length;
    report[`${size} ${name}`] = counts;
    const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    const { scrollWidth, clientWidth } = await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })') as { scrollWidth: number; clientWidth: number };
    expect(scrollWidth, `${name} scrolls sideways`).toBeLessThanOrEqual(clientWidth);
  }

  it('signed out: home, sign-up (with an error at its field), log-in pages', async () => {
    await page.goto(url);
    await check('home-signed-out');
    await page.goto(`${url}/signup`);
    await check('signup', 'signup-email');
    await page.fill('#signup-email', email);
    await page.fill('#signup-password', 'short');
    // The browser's own check would stop a short password: submit as a script-less client would.
    await page.evaluate(`document.querySelector('#signup-password').removeAttribute('minlength')`);
    await page.click('button:has-text("Create account")');
    expect(await page.getAttribute('#signup-password', 'aria-describedby')).toBe('signup-password-error');
    await check('signup-error', 'signup-password');
    await page.goto(`${url}/login`);
    await check('login', 'login-email');
  });

  it('security settings, authenticator setup, recovery codes', async () => {
    await signUp(page, url, email, password);
    await check('security-empty');
    await page.click('button:has-text("Set up authenticator app")');
    await check('totp-setup', 'totp-code');
    secret = await totpKey(page);
    await page.fill('#totp-code', await totpNow(secret, h.clock));
    await page.click('button:has-text("Turn on")');
    await page.waitForSelector('#new-recovery-codes');
    seen.push(secret, ...(await page.locator('.recovery-code').allTextContents()));
    await check('recovery-codes');
    await saveRecoveryCodes(page, url);
    await check('security-totp-on');
  });

  it('adding a phone (with the password again), and the outbox', async () => {
    await page.fill('#phone-number', '+1 201 555 0142');
    await page.fill('#phone-password', password);
    await page.click('button:has-text("Send confirmation code")');
    await check('phone-setup', 'phone-code');
    await page.fill('#phone-code', await latestOutboxCode(page, url));
    await page.click('button:has-text("Confirm phone")');
    await page.waitForSelector('#phone >> text=+1 ••• ••• 0142');
    await check('security-all-on');
    await page.goto(`${url}/dev/outbox`);
    await check('outbox');
  });

  it('several ways in (an email address too), a rename with an error, the outbox with an email, the password, step-up and admin pages', async () => {
    await page.goto(`${url}/security`);
    await page.fill('#email-name', 'Personal');
    await page.fill('#email-address', `pages-${size}@example.com`);
    await page.click('button:has-text("Email a confirmation code")');
    await check('email-setup', 'email-code');
    await page.fill('#email-code', await latestOutboxCode(page, url));
    await page.click('button:has-text("Confirm email address")');
    await page.waitForSelector('#email li.authenticator');
    await page.fill('#webauthn-name', 'Blue key');
    await page.click('button:has-text("Add a security key")');
    await page.locator('#register-key[data-ready]').waitFor({ state: 'attached' });
    await check('key-setup', 'register-key');
    await Promise.all([page.waitForNavigation(), page.click('#register-key')]);
    await page.waitForSelector('#webauthn li.authenticator');
    await check('security-several');
    // An empty name, as a script-less client could send it: the error is at the input, in its open <details>.
    const row = page.locator('#phone li.authenticator');
    await row.locator('summary:has-text("Rename")').click();
    const renameId = (await row.locator('input[name=name]').getAttribute('id'))!;
    await page.evaluate(`document.getElementById(${JSON.stringify(renameId)}).removeAttribute('required')`);
    await row.locator('input[name=name]').fill('');
    await row.locator('button:has-text("Save name")').click();
    await check('security-rename-error', renameId);
    await page.goto(`${url}/dev/outbox`);
    await check('outbox-email');
    await page.goto(`${url}/security/password`);
    await check('password', 'new-password');
    // No second factor in this session yet (sign-up, then the password): new codes ask for one.
    await page.goto(`${url}/security`);
    await page.click('button:has-text("Make new codes")');
    await page.waitForURL(`${url}/step-up`);
    await page.locator('#use-key[data-ready]').waitFor({ state: 'attached' });
    await check('step-up', 'use-key');
    await Promise.all([page.waitForNavigation(), page.click('#use-key')]); // the security key confirms it
    await page.waitForSelector('#new-recovery-codes');
    seen.push(...(await page.locator('.recovery-code').allTextContents()));
    await saveRecoveryCodes(page, url);
    // Another account, so the admin page has its forms to show.
    const other = await h.browser.newContext();
    await signUp(await other.newPage(), url, `other-${size}@example.com`, password);
    await other.close();
    await page.goto(`${url}/admin`);
    await page.locator('li.user', { hasText: `other-${size}@` }).locator('summary').click();
    await check('admin');
  });

  it('a remembered browser: the login that skipped the code says so; the devices list', async () => {
    await page.goto(`${url}/`);
    await check('home-signed-in');
    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.click('.tabs a:has-text("Authenticator app")');
    h.clock.advance(30_000);
    await submitCode(page, await totpNow(secret, h.clock), true);
    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.waitForSelector('text=Signed in without a code');
    await check('home-remembered');
    await page.goto(`${url}/security`);
    await page.waitForSelector('#devices li.device');
    await check('security-devices');
    await page.click('button:has-text("Forget all devices")');
    await page.waitForSelector('text=1 device forgotten');
  });

  it('the challenge: security key, authenticator app, phone with the resend cooldown, email, recovery code, locked', async () => {
    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.locator('#use-key[data-ready]').waitFor({ state: 'attached' });
    await check('challenge-key', 'use-key');
    await page.click('.tabs a:has-text("Authenticator app")');
    await check('challenge-totp', 'code');
    await page.click('.tabs a:has-text("Phone")');
    await page.click('button:has-text("Text me a code")');
    await page.waitForSelector('#cooldown');
    await check('challenge-phone-sent', 'code');
    await page.click('.tabs a:has-text("Personal")');
    await page.click('button:has-text("Email me a code")');
    await page.waitForSelector('#sent');
    await check('challenge-email-sent', 'code');
    await page.click('.tabs a:has-text("Recovery code")');
    await check('challenge-recovery', 'code');
    await page.click('.tabs a:has-text("Authenticator app")');
    for (let i = 0; i < 5; i++) await submitCode(page, '000000');
    await page.waitForSelector('#locked');
    await check('challenge-locked');
    await page.goto(`${url}/no-such-page`);
    await check('not-found');
  });

  it('required 2FA: the grace period banner, then the overdue account kept on the security page', async () => {
    const late = `late-${size}@example.com`;
    await signUp(page, url, late, password);
    await page.waitForSelector('#requirement');
    await check('security-grace');
    await page.goto(`${url}/`);
    await check('home-grace');
    await logOut(page, url);
    h.clock.advanceSeconds(14 * 86_400 + 60);
    await logIn(page, url, late, password);
    expect(new URL(page.url()).pathname).toBe('/security');
    await check('security-overdue');
  });

  it('logged no console error and no failed request (favicon included) on any page', () => {
    expect(problems.filter((p) => !refusedPages.has(p.url))).toEqual([]);
    expect(refusedPages).toContain(`${url}/no-such-page`); // the listeners work
    expect(problems.map((p) => p.url)).toContain(`${url}/no-such-page`);
    expect(seen.length).toBe(21);
  });
});
