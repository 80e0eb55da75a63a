import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { latestOutboxCode, lastVerified, leaks, logIn, logOut, notice, saveRecoveryCodes, shot, signUp, startHarness, submitCode, totpKey, totpNow, shotAfterEach, type Harness } from './harness.js';

// Several authenticators per method (a second app, a second phone, an email address), each
// with its name, each offered on the challenge page, each removable on its own.
let h: Harness;
let page: Page;
let url: string;
const seen: string[] = []; // codes, secrets, numbers and addresses: none may reach the app log
const email = 'multi@example.com';
const password = 'several ways in, please';
const keys: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  url = h.demo.url;
  page = await (await h.browser.newContext()).newPage();
});
afterAll(async () => {
  await h?.close();
});
shotAfterEach('multi', () => page); // test-artifacts/demo/, not committed

const path = () => new URL(page.url()).pathname;
const userId = () => /^signup user=(\S+)/.exec(h.log.find((l) => l.startsWith(`signup user=`))!)![1]!;
/** The user's active authenticators of a method, as twofa has them: name → id. */
async function ids(method: string): Promise<Record<string, string>> {
  const list = (await h.demo.twofa.methods(userId())).filter((a) => a.method === method && a.status === 'active');
  return Object.fromEntries(list.map((a) => [a.name ?? '(no name)', a.id]));
}
/** The names on the security page's list of one method. */
const listed = (section: string) => page.locator(`#${section} li.authenticator strong`).allTextContents();
/** Opens "Remove" of the authenticator whose row shows `text`, and confirms. */
async function remove(section: string, text: string, button: string): Promise<void> {
  const row = page.locator(`#${section} li.authenticator`, { hasText: text });
  await row.locator('summary:has-text("Remove")').click();
  await row.locator(`button:has-text("${button}")`).click();
  await page.waitForLoadState('domcontentloaded');
}
async function enrollApp(name: string): Promise<void> {
  await page.fill('#totp-code', await totpNow((keys[name] = await totpKey(page)), h.clock));
  seen.push(keys[name]!);
  await page.click('button:has-text("Turn on")');
}
async function confirmPhone(): Promise<void> {
  const code = await latestOutboxCode(page, url);
  seen.push(code);
  await page.fill('#phone-code', code);
  await page.click('button:has-text("Confirm phone")');
}
/** Logs out (if signed in) and enters the password: the challenge page. */
async function passwordStep(): Promise<void> {
  if (await page.locator('header button:has-text("Log out")').count()) await logOut(page, url);
  await logIn(page, url, email, password);
}
async function loginWithApp(tab: string): Promise<void> {
  await passwordStep();
  await page.click(`.tabs a:has-text("${tab}")`);
  h.clock.advance(30_000);
  await submitCode(page, await totpNow(keys[tab]!, h.clock));
}
async function loginWithCode(tab: string, button: string): Promise<string> {
  await passwordStep();
  await page.click(`.tabs a:has-text("${tab}")`);
  await page.click(`button:has-text("${button}")`);
  const sentTo = (await page.locator('#sent strong').textContent()) ?? '';
  const code = await latestOutboxCode(page, url);
  seen.push(code);
  await submitCode(page, code);
  return sentTo;
}

describe('several authenticators per method, in the browser', () => {
  it('adds a second authenticator app, each with its name (the second after the password again)', async () => {
    await signUp(page, url, email, password);
    await page.fill('#totp-name', 'Pixel');
    await page.click('button:has-text("Set up authenticator app")');
    await enrollApp('Pixel');
    await saveRecoveryCodes(page, url);
    await page.click('summary:has-text("Add another authenticator app")');
    await page.fill('#totp-name', 'iPhone');
    await page.fill('#totp-password', password); // 2FA is on now: adding one asks who it is
    await page.click('button:has-text("Add another authenticator app")');
    expect(await page.locator('#totp').textContent()).toContain('Your other apps keep working as they are.');
    await enrollApp('iPhone');
    expect(await notice(page)).toBe('Authenticator app turned on.');
    expect(await listed('totp')).toEqual(['Pixel', 'iPhone']);
    expect(Object.keys(await ids('totp'))).toEqual(['Pixel', 'iPhone']);
  });

  it('adds two phones, names one when adding it and the other afterwards (Rename)', async () => {
    await page.fill('#phone-name', 'Work phone');
    await page.fill('#phone-number', '+1 201 555 0142');
    await page.click('button:has-text("Send confirmation code")');
    await confirmPhone();
    await page.click('summary:has-text("Add another phone")');
    await page.fill('#phone-number', '+1 201 555 0143');
    await page.click('button:has-text("Send confirmation code")');
    expect(await page.locator('#phone').textContent()).toContain('We sent a code to +1 ••• ••• 0143 by text message');
    await confirmPhone();
    seen.push('2015550142', '2015550143');
    expect(await listed('phone')).toEqual(['Work phone', 'Phone']);
    const row = page.locator('#phone li.authenticator', { hasText: '0143' });
    await row.locator('summary:has-text("Rename")').click();
    await row.locator('input[name=name]').fill('  Home   phone ');
    await row.locator('button:has-text("Save name")').click();
    expect(await notice(page)).toBe('Renamed to “Home phone”.');
    expect(await listed('phone')).toEqual(['Work phone', 'Home phone']);
    expect(await page.locator('#phone li.authenticator', { hasText: 'Home phone' }).textContent()).toContain('+1 ••• ••• 0143');
  });

  it('offers each authenticator on the challenge page, and signs in with each of them', async () => {
    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(await page.locator('.tabs a').allTextContents()).toEqual(['Pixel', 'iPhone', 'Work phone (+1 ••• ••• 0142)', 'Home phone (+1 ••• ••• 0143)', 'Recovery code']);
    await shot(page, 'multi-challenge-tabs');
    const apps = await ids('totp');
    const phones = await ids('phone');
    for (const app of ['Pixel', 'iPhone']) {
      await loginWithApp(app);
      expect(await page.locator('#signed-in').count(), app).toBe(1);
      expect(lastVerified(h.log), app).toBe(apps[app]);
    }
    for (const [tab, masked] of [['Work phone', '+1 ••• ••• 0142'], ['Home phone', '+1 ••• ••• 0143']] as const) {
      expect(await loginWithCode(tab, 'Text me a code')).toBe(masked);
      expect(await page.locator('#signed-in').count(), tab).toBe(1);
      expect(lastVerified(h.log), tab).toBe(phones[tab]);
    }
  });

  it('removes one app and one phone: their tabs are gone, the app code and the phone are refused', async () => {
    const gone = { app: (await ids('totp')).iPhone!, phone: (await ids('phone'))['Home phone']! };
    await page.goto(`${url}/security`);
    await remove('totp', 'iPhone', 'Remove iPhone');
    expect(await notice(page)).toBe('iPhone removed. Remembered devices must pass two-step sign-in again.');
    await remove('phone', 'Home phone', 'Remove Home phone (+1 ••• ••• 0143)');
    expect(await notice(page)).toBe('Home phone (+1 ••• ••• 0143) removed. Remembered devices must pass two-step sign-in again.');
    expect(await listed('totp')).toEqual(['Pixel']);
    expect(await listed('phone')).toEqual(['Work phone']);

    await logOut(page, url);
    await logIn(page, url, email, password);
    expect(await page.locator('.tabs a').allTextContents()).toEqual(['Pixel', 'Work phone (+1 ••• ••• 0142)', 'Recovery code']);
    h.clock.advance(30_000);
    await submitCode(page, await totpNow(keys.iPhone!, h.clock));
    expect(await notice(page)).toBe('That code is not right. 4 attempts left.');
    // A form edited to name the removed phone sends nothing.
    await page.click('.tabs a:has-text("Work phone")');
    const sent = h.demo.outbox!.entries.length;
    await page.evaluate(`document.querySelector('form[action="/challenge/send"] input[name=authenticatorId]').value = ${JSON.stringify(gone.phone)}`);
    await page.click('button:has-text("Text me a code")');
    expect(await notice(page)).toBe('Choose a phone or an email address to send a code to.');
    expect(h.demo.outbox!.entries.length).toBe(sent);
    expect(await h.demo.twofa.challenge(userId(), { authenticatorId: gone.phone }).catch((e: { code: string }) => e.code)).toBe('not_enrolled');
    await page.click('.tabs a:has-text("Pixel")');
    await submitCode(page, await totpNow(keys.Pixel!, h.clock));
    expect(path()).toBe('/');
    expect(lastVerified(h.log)).not.toBe(gone.app);
  });

  it('adds an email address and signs in with an emailed code (console sender, through the outbox)', async () => {
    await page.goto(`${url}/security`);
    await page.fill('#email-name', 'Personal');
    await page.fill('#email-address', 'ada.multi@example.com');
    seen.push('ada.multi@example.com');
    await page.click('button:has-text("Email a confirmation code")');
    expect(await page.locator('#email').textContent()).toContain('We sent a code to a•••@example.com by email.');
    const outbox = await page.context().newPage();
    await outbox.goto(`${url}/dev/outbox`);
    const newest = outbox.locator('#outbox .message').first();
    expect(await newest.textContent()).toContain('email to a•••@example.com');
    expect(await newest.locator('.subject').textContent()).toBe('Subject: Your Acme verification code');
    expect(await newest.locator('.body').textContent()).toMatch(/^Your Acme verification code is:\s+\d{6}\s+It expires in 10 minutes\./);
    await shot(outbox, 'multi-outbox-email');
    await outbox.close();
    const code = await latestOutboxCode(page, url);
    seen.push(code);
    await page.fill('#email-code', code);
    await page.click('button:has-text("Confirm email address")');
    expect(await notice(page)).toBe('Email turned on.');
    expect(await page.locator('#email li.authenticator').textContent()).toContain('Personal a•••@example.com');

    expect(await loginWithCode('Personal (a•••@example.com)', 'Email me a code')).toBe('a•••@example.com');
    expect(await page.locator('#signed-in').count()).toBe(1);
    expect(lastVerified(h.log)).toBe((await ids('email')).Personal);
    expect(h.terminal.some((l) => l.startsWith('[twofa console sender] email to a•••@example.com'))).toBe(true);
  });

  it('never wrote a code, a secret, a number or an address to the app log', () => {
    expect(h.log.filter((l) => l.includes('"event":"verification.sent"')).length).toBeGreaterThanOrEqual(6);
    expect(leaks(h.log, seen)).toEqual([]);
  });
});
