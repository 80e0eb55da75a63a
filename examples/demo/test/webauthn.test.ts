import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { audit, lastVerified, leaks, logIn, logOut, notice, saveRecoveryCodes, shot, signUp, startHarness, shotAfterEach, type Harness } from './harness.js';

// Security keys and passkeys in real Chromium, with virtual authenticators (DevTools
// protocol: WebAuthn.addVirtualAuthenticator, ctap2, resident keys, user verification).
// Keys are bound to a host name, so the browser uses http://localhost:<port>.
let h: Harness;
let page: Page;
let cdp: CDPSession;
let url = '';
const email = 'keys@example.com';
const password = 'a key is better than a code';
/** The answers the page posted to /challenge/verify, oldest first. */
const answers: string[] = [];
const ids: Record<string, string> = {};

type Credential = { credentialId: string; isResidentCredential: boolean; rpId?: string; privateKey: string; userHandle?: string; signCount: number };

/** A USB security key with a PIN and resident keys, answering at once (no touch to wait for). */
async function plugInKey(): Promise<string> {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return authenticatorId;
}
const credentialsOf = async (authenticatorId: string) => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as Credential[];
const userId = () => /^signup user=(\S+)/.exec(h.log.find((l) => l.startsWith('signup user='))!)![1]!;
const keyIds = async () => Object.fromEntries((await h.demo.twofa.methods(userId())).filter((a) => a.method === 'webauthn').map((a) => [a.name, a.id]));
const path = () => new URL(page.url()).pathname;

/** Presses a WebAuthn button once app.js has wired it (the browser's prompt answers by itself). */
async function press(button: string): Promise<void> {
  await page.locator(`${button}[data-ready]`).waitFor({ state: 'attached' });
  await Promise.all([page.waitForNavigation(), page.click(button)]);
}
/** Password, then the security key tab's button. */
async function logInWithKey(): Promise<void> {
  if (await page.locator('header button:has-text("Log out")').count()) await logOut(page, url);
  await logIn(page, url, email, password);
  expect(await page.locator('.tabs a.current').textContent()).toBe('Security key or passkey');
  await press('#use-key');
}
/** On the challenge page: posts `answer` as the key's answer, as a client that skips the browser's prompt would. */
async function postAnswer(answer: string): Promise<void> {
  await page.evaluate(`document.querySelector('#key-form [name=response]').value = ${JSON.stringify(answer)}`);
  await Promise.all([page.waitForNavigation(), page.evaluate(`document.getElementById('key-form').submit()`)]);
}

beforeAll(async () => {
  h = await startHarness();
  url = h.demo.url.replace('127.0.0.1', 'localhost');
  const ctx = await h.browser.newContext();
  page = await ctx.newPage();
  cdp = await ctx.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await page.route(`${url}/challenge/verify`, async (route) => {
    const answer = new URLSearchParams(route.request().postData() ?? '').get('response');
    if (answer) answers.push(answer);
    await route.continue();
  });
});
afterAll(async () => {
  await h?.close();
});
shotAfterEach('keys', () => page); // test-artifacts/demo/, not committed

describe('security keys and passkeys, with virtual authenticators in Chromium', () => {
  let first = '';

  it('registers a named key as the first way in (with its recovery codes), from a script the app serves', async () => {
    first = await plugInKey();
    await signUp(page, url, email, password);
    await page.fill('#webauthn-name', 'Blue key');
    await page.click('button:has-text("Add a security key")');
    await press('#register-key');
    expect(path()).toBe('/security/recovery-codes');
    await saveRecoveryCodes(page, url);
    expect(await page.locator('#webauthn li.authenticator strong').allTextContents()).toEqual(['Blue key']);
    expect(await credentialsOf(first)).toHaveLength(1);
    // The browser library came from the app itself, under the same CSP.
    const lib = await page.request.get(`${url}/assets/simplewebauthn-browser.js`);
    expect([lib.status(), lib.headers()['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await lib.text()).toContain('SimpleWebAuthnBrowser');
    ids.blue = (await keyIds())['Blue key']!;
  });

  it('logs out, and in with the key', async () => {
    await logInWithKey();
    expect(path()).toBe('/');
    expect(await page.locator('#signed-in').textContent()).toContain(email);
    expect(lastVerified(h.log)).toBe(ids.blue);
    expect(answers).toHaveLength(1);
  });

  it('adds a second key (the first one unplugged), and logs in with it', async () => {
    const saved = await credentialsOf(first);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first });
    const second = await plugInKey();
    await page.goto(`${url}/security`);
    await page.click('summary:has-text("Add another security key")');
    await page.fill('#webauthn-name', 'Backup key'); // the login's key was verified just now: no password asked
    await page.click('button:has-text("Add a security key")');
    await press('#register-key');
    expect(await notice(page)).toBe('Security key turned on.');
    ids.backup = (await keyIds())['Backup key']!;
    await logInWithKey();
    expect(path()).toBe('/');
    expect(lastVerified(h.log)).toBe(ids.backup);
    backup = (await credentialsOf(second))[0]!;
    // The first key back in, as it was.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: second });
    first = await plugInKey();
    await cdp.send('WebAuthn.addCredential', { authenticatorId: first, credential: saved[0]! });
    await logInWithKey();
    expect(lastVerified(h.log)).toBe(ids.blue);
  });

  it('removes the backup key; an answer it signs is refused', async () => {
    await page.goto(`${url}/security`);
    const row = page.locator('#webauthn li.authenticator', { hasText: 'Backup key' });
    await row.locator('summary:has-text("Remove")').click();
    await row.locator('button:has-text("Remove Backup key")').click();
    await page.waitForLoadState('domcontentloaded');
    expect(await notice(page)).toBe('Backup key removed. Remembered devices must pass two-step sign-in again.');
    // The removed key still holds its credential, and signs the login's challenge when asked to.
    // (As a non-resident credential: one authenticator keeps one resident credential per account.)
    const { userHandle: _handle, ...rest } = backup;
    await cdp.send('WebAuthn.addCredential', { authenticatorId: first, credential: { ...rest, isResidentCredential: false } });
    await logOut(page, url);
    await logIn(page, url, email, password);
    const backupId = Buffer.from(backup.credentialId, 'base64').toString('base64url');
    await page.evaluate(`(() => {
      const b = document.getElementById('use-key');
      const o = JSON.parse(b.dataset.options);
      b.dataset.options = JSON.stringify({ ...o, allowCredentials: [{ id: ${JSON.stringify(backupId)}, type: 'public-key' }] });
    })()`);
    const before = answers.length;
    await press('#use-key');
    expect(answers.length).toBe(before + 1);
    expect(JSON.parse(answers.at(-1)!).id).toBe(backupId);
    expect(path()).toBe('/challenge');
    expect(await notice(page)).toBe('Your security key’s answer was not accepted. 4 attempts left.');
    await cdp.send('WebAuthn.removeCredential', { authenticatorId: first, credentialId: backup.credentialId });
  });

  it('refuses a replayed answer (one that signed in before), then takes a fresh one', async () => {
    await postAnswer(answers[0]!);
    expect(path()).toBe('/challenge');
    expect(await notice(page)).toBe('Your security key’s answer was not accepted. 3 attempts left.');
    await press('#use-key');
    expect(path()).toBe('/');
    expect(lastVerified(h.log)).toBe(ids.blue);
  });

  it('refuses a key whose sign count goes backwards (a clone), and the audit log says so', async () => {
    const [key] = await credentialsOf(first);
    expect(key!.signCount).toBeGreaterThanOrEqual(2);
    await cdp.send('WebAuthn.removeCredential', { authenticatorId: first, credentialId: key!.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId: first, credential: { ...key!, signCount: 0 } });
    await logInWithKey();
    expect(path()).toBe('/challenge');
    expect(await notice(page)).toBe('Your security key’s answer was not accepted. 4 attempts left.');
    const anomaly = audit(h.log).filter((r) => r.event === 'authenticator.anomaly');
    expect(anomaly.map((r) => [r.authenticatorId, r.errorCode, r.detail])).toEqual([[ids.blue, 'anomaly', 'sign_count_regressed']]);
    // The other ways in still work: a recovery code, say. (The key stays refused until someone looks.)
    expect(await page.locator('.tabs a').allTextContents()).toEqual(['Security key or passkey', 'Recovery code']);
  });

  it('says where keys work when the site is opened at its IP address', async () => {
    const ctx = await h.browser.newContext();
    const other = await ctx.newPage();
    await logIn(other, h.demo.url, email, password);
    expect(await other.locator('main section').textContent()).toBe(`Security keys are bound to a host name: they work when you open this site at ${url}.`);
    await shot(other, 'keys-elsewhere');
    await ctx.close();
  });

  it('kept credential ids and answers out of the app log', () => {
    const credentialIds = answers.map((a) => (JSON.parse(a) as { id: string }).id);
    expect(credentialIds.length).toBeGreaterThanOrEqual(5);
    expect(leaks(h.log, credentialIds)).toEqual([]);
    expect(h.log.some((l) => l.includes('"method":"webauthn"'))).toBe(true);
  });
});

let backup: Credential;
