import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { latestOutboxCode, leaks, logIn, logOut, notice, saveRecoveryCodes, shot, signUp, startHarness, submitCode, shotAfterEach, type Harness } from './harness.js';

let h: Harness;
let page: Page;
let url: string;
const seen: string[] = [];
const email = 'lin@example.com';
const password = 'a long enough password';

beforeAll(async () => {
  h = await startHarness();
  url = h.demo.url;
  page = await (await h.browser.newContext()).newPage();
});
afterAll(async () => {
  await h?.close();
});
shotAfterEach('phone', () => page); // test-artifacts/demo/, not committed

const sendButton = () => page.locator('form[action="/challenge/send"] button').first();

describe('phone codes in the browser, through the dev outbox', () => {
  it('enrolls a phone number with the confirmation code from the outbox', async () => {
    await signUp(page, url, email, password);
    await page.fill('input[name=phoneNumber]', '+1 201 555 0123');
    await page.selectOption('select[name=channel]', 'sms');
    await page.click('button:has-text("Send confirmation code")');
    expect(await page.locator('#phone').textContent()).toContain('We sent a code to +1 ••• ••• 0123 by text message');
    const code = await latestOutboxCode(page, url);
    seen.push(code, '2015550123');
    await page.fill('#phone input[name=code]', code);
    await page.click('button:has-text("Confirm phone")');
    expect(await notice(page)).toContain('Phone turned on');
    expect(await page.locator('.recovery-code').count()).toBe(10);
    await saveRecoveryCodes(page, url);
    expect(await page.locator('#phone').textContent()).toContain('+1 ••• ••• 0123');
    await shot(page, 'phone-enrolled');
  });

  it('logs in with a texted code, showing attempts left and the resend cooldown in words', async () => {
    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(await page.locator('.tabs a.current').textContent()).toBe('Phone (+1 ••• ••• 0123)');
    await page.click('button:has-text("Text me a code")');
    expect(await page.locator('#sent').textContent()).toContain('We sent a code to +1 ••• ••• 0123 by text message');
    expect(await page.locator('#cooldown').textContent()).toBe('You can ask for a new code in 3 minutes.');
    expect(await sendButton().isDisabled()).toBe(true);
    await submitCode(page, '000000');
    expect(await notice(page)).toBe('That code is not right. 4 attempts left.');
    await shot(page, 'phone-challenge');
    const code = await latestOutboxCode(page, url);
    seen.push(code);
    await submitCode(page, code);
    expect(await page.locator('#signed-in').textContent()).toContain(email);
  });

  it('enforces the resend cooldown on the server, then sends a new code after it', async () => {
    h.clock.advance(180_000); // the cooldown of the last test's send is per user, across logins
    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.click('button:has-text("Text me a code")');
    expect(await page.locator('#sent').count()).toBe(1);
    const first = await latestOutboxCode(page, url);
    h.clock.advance(30_000);
    // A client that ignores the disabled button is still refused, in plain words.
    await page.evaluate(`document.querySelectorAll('[disabled]').forEach((b) => b.removeAttribute('disabled'))`);
    await sendButton().click();
    await page.waitForLoadState('domcontentloaded');
    expect(await notice(page)).toBe('A code was sent recently. You can ask for a new one in 2 minutes 30 seconds.');
    h.clock.advance(150_000);
    await page.reload();
    expect(await sendButton().isDisabled()).toBe(false);
    await sendButton().click();
    await page.locator('#cooldown', { hasText: 'in 3 minutes' }).waitFor();
    const second = await latestOutboxCode(page, url);
    seen.push(first, second);
    expect(await page.locator('#cooldown').textContent()).toBe('You can ask for a new code in 3 minutes.');
    await shot(page, 'phone-resent');
    await submitCode(page, second);
    expect(await page.locator('#signed-in').count()).toBe(1);
  });

  it('counts the resend cooldown down and re-enables the send buttons without a reload', async () => {
    h.clock.advance(3_600_000); // past the hourly send limit the earlier tests used up
    await page.clock.install(); // the page's timers; the server has the FakeClock
    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.click('button:has-text("Text me a code")');
    const first = await latestOutboxCode(page, url);
    expect(await page.locator('#cooldown').textContent()).toBe('You can ask for a new code in 3 minutes.');
    await page.clock.runFor(61_000);
    expect(await page.locator('#cooldown').textContent()).toBe('You can ask for a new code in 1 minute 59 seconds.');
    expect(await sendButton().isDisabled()).toBe(true);
    h.clock.advance(180_000);
    await page.clock.runFor(120_000);
    expect(await page.locator('#cooldown').textContent()).toBe('You can ask for a new code now.');
    expect(await page.locator('#announce').textContent()).toBe('You can ask for a new code now.');
    expect(await sendButton().isDisabled()).toBe(false);
    await sendButton().click();
    await page.locator('#cooldown', { hasText: 'in 3 minutes' }).waitFor();
    const second = await latestOutboxCode(page, url);
    seen.push(first, second);
    expect(second).not.toBe(first);
    await submitCode(page, second);
    expect(await page.locator('#signed-in').count()).toBe(1);
  });

  it('keeps a sent code usable after the tab is closed and the user logs in again', async () => {
    h.clock.advance(180_000);
    await logOut(page, url);
    await logIn(page, url, email, password);
    await page.click('button:has-text("Text me a code")');
    const code = await latestOutboxCode(page, url);
    seen.push(code);
    await page.context().close();
    page = await (await h.browser.newContext()).newPage();
    await logIn(page, url, email, password);
    expect(await page.locator('#sent').count()).toBe(1);
    expect(await sendButton().isDisabled()).toBe(true);
    await submitCode(page, code);
    expect(await page.locator('#signed-in').count()).toBe(1);
  });

  it('removes the phone after a fresh code (step-up), and with it the recovery codes', async () => {
    h.clock.advance(5 * 60_000 + 1000); // the login's code is no longer fresh
    await page.goto(`${url}/security`);
    await page.click('#phone summary:has-text("Remove")');
    await page.click('button:has-text("Remove Phone (+1 ••• ••• 0123)")');
    expect(new URL(page.url()).pathname).toBe('/step-up');
    expect(await page.locator('main > p').first().textContent()).toContain('To remove Phone (+1 ••• ••• 0123), enter a code');
    await page.click('button:has-text("Text me a code")');
    await submitCode(page, '000000');
    expect(await notice(page)).toBe('That code is not right. 4 attempts left.');
    expect(await page.evaluate('document.activeElement.id')).toBe('code');
    const code = await latestOutboxCode(page, url);
    seen.push(code);
    await submitCode(page, code);
    expect(new URL(page.url()).pathname).toBe('/security');
    expect(await notice(page)).toBe('Phone (+1 ••• ••• 0123) removed. Two-step sign-in is now off, and your recovery codes went with it. Remembered devices must pass two-step sign-in again.');
    expect(await page.locator('input[name=phoneNumber]').count()).toBe(1);
    expect(await page.locator('#recovery-remaining').count()).toBe(0);
    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(new URL(page.url()).pathname).toBe('/'); // no second step left
  });

  it('kept codes and numbers out of the app log (the console sender prints them, by design)', () => {
    expect(h.log.some((l) => l.includes('"event":"verification.sent"') && l.includes('+1 ••• ••• 0123'))).toBe(true);
    expect(leaks(h.log, seen)).toEqual([]);
    expect(h.terminal.length).toBeGreaterThanOrEqual(4);
  });
});
