import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { enrollTotp, leaks, logIn, logOut, notice, shot, signUp, startHarness, submitCode, totpNow, type Harness } from './harness.js';

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
// Every browser test leaves a screenshot of where it ended (test-artifacts/demo/, not committed).
afterEach(async (t) => {
  if (page && !page.isClosed()) await shot(page, `totp-${t.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
});

async function freshPage(): Promise<void> {
  await ctx?.close();
  ctx = await h.browser.newContext();
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
    ({ secret, recoveryCodes: recovery } = await enrollTotp(page, url, h.clock));
    seen.push(secret, ...recovery);
    expect(await notice(page)).toContain('Authenticator app turned on');
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

  it('locks two-step sign-in after 5 wrong codes, says for how long, and lets the right code in after it', async () => {
    await freshPage();
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
    expect(words[4]).toMatch(/locked for 10 minutes \(until 12:\d\d UTC\)/);
    // Locked means locked: the right code is refused too, with the time left in words.
    h.clock.advance(30_000);
    await submitCode(page, await totpNow(s2, h.clock));
    expect(await notice(page)).toMatch(/Too many wrong codes\. Two-step sign-in is locked for 9 minutes/);
    await shot(page, 'locked-out');
    // After the lockout the password step has expired too: log in again, then the code works.
    h.clock.advance(600_000);
    await logIn(page, url, other, password);
    await submitCode(page, await totpNow(s2, h.clock));
    expect(await page.locator('#signed-in').textContent()).toContain(other);
  });

  it('never wrote a code or a secret to the app log', () => {
    expect(h.log.length).toBeGreaterThan(5);
    expect(h.log.some((l) => l.includes('user locked'))).toBe(true);
    expect(leaks(h.log, seen)).toEqual([]);
  });
});
