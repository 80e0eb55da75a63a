import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { enrollTotp, leaks, logIn, logOut, notice, saveRecoveryCodes, shot, signUp, startHarness, submitCode, totpKey, totpNow, shotAfterEach, type Harness } from './harness.js';

// One browser for the file; each test gets a fresh context (cookie jar).
let h: Harness;
let ctx: BrowserContext;
let page: Page;
let url: string;
const seen: string[] = []; // every code and secret used, to check the app log for leaks

beforeAll(async () => {
  h = await startHarness();
  url = h.demo.url;
});
afterAll(async () => {
  await h?.close();
});
shotAfterEach('totp', () => page); // test-artifacts/demo/, not committed

async function freshPage(options: BrowserContextOptions = {}): Promise<void> {
  await ctx?.close();
  ctx = await h.browser.newContext(options);
  page = await ctx.newPage();
}

describe('authenticator app and recovery codes in the browser', () => {
  const email = 'ada@example.com';
  const password = 'correct horse battery';
  let secret = '';
  let recovery: string[] = [];

  it('signs up and enrolls an authenticator app by reading the key from the page', async () => {
    await freshPage();
    await signUp(page, url, email, password);
    let said: string;
    ({ secret, recoveryCodes: recovery, notice: said } = await enrollTotp(page, url, h.clock));
    seen.push(secret, ...recovery);
    expect(said).toContain('Authenticator app turned on');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    await shot(page, 'totp-enrolled');
    // Shown once: a reload no longer lists them, and the count is there instead.
    await page.reload();
    expect(await page.locator('#new-recovery-codes').count()).toBe(0);
    expect(await page.locator('#recovery-remaining').textContent()).toBe('10');
  });

  it('logs out, then logs in with a TOTP code (the next time step: the enrollment one is used)', async () => {
    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(new URL(page.url()).pathname).toBe('/challenge');
    expect(await page.locator('.tabs a.current').textContent()).toBe('Authenticator app');
    expect(await page.locator('.tabs').textContent()).toContain('Recovery code');
    h.clock.advance(30_000);
    const code = await totpNow(secret, h.clock);
    seen.push(code);
    await submitCode(page, code);
    await shot(page, 'totp-login');
    expect(await page.locator('#signed-in').textContent()).toContain(email);
  });

  it('refuses the same TOTP code twice (replay), and takes the next step', async () => {
    await logOut(page, url);
    await logIn(page, url, email, password);
    await submitCode(page, await totpNow(secret, h.clock));
    expect(await notice(page)).toMatch(/That code is not right\. 4 attempts left\./);
    h.clock.advance(30_000);
    await submitCode(page, await totpNow(secret, h.clock));
    expect(await page.locator('#signed-in').count()).toBe(1);
    await shot(page, 'totp-replay');
  });

  it('logs in with a recovery code, and refuses that code the second time', async () => {
    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.click('.tabs a:has-text("Recovery code")');
    await submitCode(page, recovery[0]!.toUpperCase()); // any case works
    expect(await page.locator('#signed-in').count()).toBe(1);
    await page.goto(`${url}/security`);
    expect(await page.locator('#recovery-remaining').textContent()).toBe('9');

    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.goto(`${url}/challenge?method=recovery`);
    await submitCode(page, recovery[0]!);
    expect(await notice(page)).toContain('That code is not right');
    expect(new URL(page.url()).pathname).toBe('/challenge');
    await shot(page, 'recovery-refused');
  });

  it('locks two-step sign-in after 5 wrong codes, says until when, and lets the right code in after it', async () => {
    await freshPage();
    await page.clock.install(); // the page's timers, as the FakeClock is the server's
    const other = 'grace@example.com';
    await signUp(page, url, other, password);
    const { secret: s2 } = await enrollTotp(page, url, h.clock);
    seen.push(s2);
    await logOut(page, url);
    await logIn(page, url, other, password);
    const words: string[] = [];
    for (let i = 0; i < 5; i++) {
      await submitCode(page, '000000');
      words.push(await notice(page));
    }
    expect(words.slice(0, 4)).toEqual([4, 3, 2].map((n) => `That code is not right. ${n} attempts left.`).concat('That code is not right. 1 attempt left.'));
    expect(words[4]).toMatch(/locked until 12:\d\d UTC \(10 minutes from now\)/);
    // Locked means locked: the form is disabled, and a client that ignores that has the right code refused too.
    expect(await page.locator('#code').isDisabled()).toBe(true);
    h.clock.advance(30_000);
    await page.evaluate(`document.querySelectorAll('[disabled]').forEach((b) => b.removeAttribute('disabled'))`);
    await submitCode(page, await totpNow(s2, h.clock));
    expect(await notice(page)).toMatch(/Too many wrong codes\. Two-step sign-in is locked until 12:\d\d UTC \(9 minutes 30 seconds from now\)/);
    await shot(page, 'locked-out');
    // The page counts down and opens the form again when the lockout ends, without a reload.
    await page.clock.runFor(60_000);
    expect(await page.locator('#locked').textContent()).toContain('(8 minutes 30 seconds from now)');
    expect(await page.locator('#code').isDisabled()).toBe(true);
    await page.clock.runFor(8 * 60_000 + 31_000);
    expect(await page.locator('#locked').textContent()).toBe('You can try again now.');
    expect(await page.locator('#code').isDisabled()).toBe(false);
    expect(await page.locator('#announce').textContent()).toBe('You can try again now.');
    // After the lockout the password step has expired too: log in again, then the code works.
    h.clock.advance(600_000);
    await logIn(page, url, other, password);
    await submitCode(page, await totpNow(s2, h.clock));
    expect(await page.locator('#signed-in').textContent()).toContain(other);
  });

  it('shows the key in groups of four, and an otpauth:// link to set up an app on this phone', async () => {
    await freshPage();
    await signUp(page, url, 'otpauth@example.com', password);
    await page.click('button:has-text("Set up authenticator app")');
    const shown = (await page.locator('#totp-secret').textContent())!.trim();
    expect(shown).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const link = new URL((await page.getAttribute('#otpauth-link', 'href'))!);
    expect(link.protocol).toBe('otpauth:');
    expect(link.host).toBe('totp');
    expect(decodeURIComponent(link.pathname)).toBe('/Acme:otpauth@example.com');
    expect(link.searchParams.get('secret')).toBe(shown.replace(/ /g, ''));
    expect(link.searchParams.get('issuer')).toBe('Acme');
    seen.push(shown.replace(/ /g, ''));
    await page.click('button:has-text("Cancel")');
  });

  it('recovery codes: copy, download as .txt, "I have saved these codes", then never shown again', async () => {
    await freshPage({ permissions: ['clipboard-read', 'clipboard-write'], acceptDownloads: true });
    await signUp(page, url, 'codes@example.com', password);
    await page.click('button:has-text("Set up authenticator app")');
    const key = await totpKey(page);
    await page.fill('#totp-code', await totpNow(key, h.clock));
    await page.click('button:has-text("Turn on")');
    await page.waitForURL(`${url}/security/recovery-codes`);
    const codes = await page.locator('.recovery-code').allTextContents();
    seen.push(key, ...codes);
    expect(codes).toHaveLength(10);

    await page.click('#copy-codes');
    await page.locator('#announce').filter({ hasText: /./ }).waitFor({ state: 'attached' });
    expect(await page.locator('#copy-codes').textContent()).toBe('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`${codes.join('\n')}\n`);
    expect(await page.locator('#announce').textContent()).toBe('Copied to the clipboard.');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-codes')]);
    expect(download.suggestedFilename()).toBe('acme-recovery-codes.txt');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.split('\n')[0]).toBe('Acme recovery codes for codes@example.com');
    expect(text.split('\n')[1]).toMatch(/^Made 2026-01-01 \d\d:\d\d UTC\. Each code works once\.$/);
    for (const c of codes) expect(text).toContain(`\n${c}\n`);

    // Leaving before "I have saved these codes" asks first; staying keeps them on screen.
    const dialogs: string[] = [];
    page.once('dialog', (d) => void (dialogs.push(d.type()), d.dismiss()));
    await page.click('header a:has-text("Home")');
    expect(dialogs).toEqual(['beforeunload']);
    expect(new URL(page.url()).pathname).toBe('/security/recovery-codes');
    await page.click('#new-recovery-codes button:has-text("Continue")'); // not ticked: the browser says so
    expect(new URL(page.url()).pathname).toBe('/security/recovery-codes');
    await saveRecoveryCodes(page, url);
    expect(dialogs).toHaveLength(1);

    // Shown once: the page no longer has them.
    await page.goto(`${url}/security/recovery-codes`);
    expect(await page.locator('.recovery-code').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Recovery codes are shown only once');
    await shot(page, 'recovery-codes-gone');
  });

  it('never wrote a code or a secret to the app log', () => {
    expect(h.log.length).toBeGreaterThan(5);
    expect(h.log.some((l) => l.startsWith('audit {"v":1,"event":"user.locked"'))).toBe(true);
    expect(leaks(h.log, seen)).toEqual([]);
  });
});
