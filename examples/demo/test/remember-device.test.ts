import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { enrollTotp, latestOutboxCode, logIn, logOut, notice, shot, signUp, startHarness, submitCode, totpNow, shotAfterEach, type Harness } from './harness.js';

let h: Harness;
let ctx: BrowserContext;
let page: Page;
let url: string;
let secret = '';
const email = 'remy@example.com';
const password = 'remember me please';

beforeAll(async () => {
  h = await startHarness();
  url = h.demo.url;
  ctx = await h.browser.newContext();
  page = await ctx.newPage();
});
afterAll(async () => {
  await h?.close();
});
shotAfterEach('remember', () => page); // test-artifacts/demo/, not committed

const path = () => new URL(page.url()).pathname;

async function passChallenge(remember: boolean): Promise<void> {
  expect(path()).toBe('/challenge');
  h.clock.advance(30_000);
  await submitCode(page, await totpNow(secret, h.clock), remember);
  expect(path()).toBe('/');
}

describe('"Remember this device for 30 days"', () => {
  it('sets an HttpOnly cookie for 30 days that skips the challenge at the next login', async () => {
    await signUp(page, url, email, password);
    ({ secret } = await enrollTotp(page, url, h.clock));
    await logOut(page, url);
    await logIn(page, url, email, password);
    await passChallenge(true);
    const cookie = (await ctx.cookies()).find((c) => c.name === 'remember');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(Math.abs(cookie!.expires - (Date.now() / 1000 + 30 * 86400))).toBeLessThan(120);

    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(path()).toBe('/'); // no challenge
    expect(await page.locator('#signed-in').textContent()).toContain(email);
    await shot(page, 'remembered-login');
  });

  it('does not carry over to another browser, or to a tampered cookie', async () => {
    const other = await h.browser.newContext();
    const p2 = await other.newPage();
    await logIn(p2, url, email, password);
    expect(new URL(p2.url()).pathname).toBe('/challenge');
    const token = (await ctx.cookies()).find((c) => c.name === 'remember')!.value;
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await other.addCookies([{ name: 'remember', value: forged, url }]);
    await logIn(p2, url, email, password);
    expect(new URL(p2.url()).pathname).toBe('/challenge');
    await other.close();
  });

  it('is revoked when the 2FA methods change (a phone is added)', async () => {
    await page.goto(`${url}/security`);
    await page.fill('input[name=phoneNumber]', '+1 201 555 0199');
    await page.fill('#phone-password', password); // adding a method asks who it is (this login skipped the code)
    await page.click('button:has-text("Send confirmation code")');
    await page.fill('#phone input[name=code]', await latestOutboxCode(page, url));
    await page.click('button:has-text("Confirm phone")');
    expect(await page.locator('#phone').textContent()).toContain('+1 ••• ••• 0199');
    await logOut(page, url);
    await logIn(page, url, email, password);
    await shot(page, 'remember-revoked');
    await passChallenge(true); // and remember again under the new version
    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(path()).toBe('/');
  });

  it('says when a login skipped the code', async () => {
    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(path()).toBe('/');
    expect(await notice(page)).toBe('Signed in without a code: this browser was remembered on 2026-01-01. You can forget it in Security settings.');
  });

  it('expires after 30 days', async () => {
    await logOut(page, url);
    h.clock.advance(31 * 86_400_000);
    await logIn(page, url, email, password);
    expect(path()).toBe('/challenge');
  });

  it('lists remembered browsers (this one marked) and forgets one: its old cookie no longer works', async () => {
    await passChallenge(true); // the 30 days are over: remember again
    const other = await h.browser.newContext();
    const p2 = await other.newPage();
    await logIn(p2, url, email, password);
    h.clock.advance(30_000);
    await submitCode(p2, await totpNow(secret, h.clock), true);
    expect(new URL(p2.url()).pathname).toBe('/');

    await page.goto(`${url}/security`);
    const rows = page.locator('#devices li.device');
    expect(await rows.count()).toBe(2);
    expect(await rows.filter({ hasText: '(this browser)' }).count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Chrome on Linux/);
    expect(await rows.filter({ hasText: '(this browser)' }).textContent()).toMatch(/Remembered 2026-02-01, last used never, until 2026-03-03\./);
    await shot(page, 'remember-devices-listed');

    const stale = (await ctx.cookies()).find((c) => c.name === 'remember')!.value;
    await rows.filter({ hasText: '(this browser)' }).locator('button:has-text("Forget")').click();
    await page.waitForLoadState('domcontentloaded');
    expect(await notice(page)).toBe('Device forgotten: it will be asked for a code at the next sign-in.');
    expect(await rows.count()).toBe(1);
    expect((await ctx.cookies()).find((c) => c.name === 'remember')).toBeUndefined();

    await logOut(page, url);
    await ctx.addCookies([{ name: 'remember', value: stale, url }]); // a copy kept from before
    await logIn(page, url, email, password);
    expect(path()).toBe('/challenge');

    // The other browser is still remembered, and shows as used.
    await p2.click('button:has-text("Log out")');
    await logIn(p2, url, email, password);
    expect(new URL(p2.url()).pathname).toBe('/');
    await other.close();
  });

  it('"Forget all devices" sends every browser back to the challenge', async () => {
    await passChallenge(true);
    await page.goto(`${url}/security`);
    expect(await page.locator('#devices li.device').count()).toBe(2);
    expect(await page.locator('#devices').textContent()).toMatch(/last used 2026-02-01/); // the other browser's login just now
    await page.click('button:has-text("Forget all devices")');
    await page.waitForLoadState('domcontentloaded');
    expect(await notice(page)).toBe('2 devices forgotten: every browser will be asked for a code at the next sign-in.');
    expect(await page.locator('#devices li.device').count()).toBe(0);
    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(path()).toBe('/challenge');
  });
});
