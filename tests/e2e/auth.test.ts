import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser';
import { cli } from '../support/e2e-global-setup';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('signing in and out', () => {
  it('sends a visitor to the sign-in page', async () => {
    const page = await (await newContext(browser)).newPage();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/signin');
    await screenshot(page, 'signin');
  });

  it('refuses a wrong password with a message', async () => {
    const page = await (await newContext(browser)).newPage();
    await page.goto('/signin');
    await page.getByLabel('Name').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong name or password').waitFor();
    expect(new URL(page.url()).pathname).toBe('/signin');
  });

  it('lets an admin sign in, see the dashboard and the admin page, and sign out', async () => {
    const context = await newContext(browser);
    const page = await signIn(context, 'admin', 'admin-password');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain('admin');
    await screenshot(page, 'dashboard');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByTestId('users-table').waitFor();
    expect(await page.getByTestId('users-table').textContent()).toContain('curator');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/signin');
  });

  it('refuses a curator the admin page', async () => {
    const page = await signIn(await newContext(browser), 'curator', 'curator-password');
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    const response = await page.goto('/admin');
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('heading').first().textContent()).toContain('admins only');
    await screenshot(page, 'curator-refused-admin');
  });
});

describe('API access', () => {
  const env = () => ({ DATABASE_URL: inject('e2eDatabaseUrl'), FACESIFT_HOME: inject('e2eHome') });
  const get = (path: string, token?: string) => fetch(`${inject('baseUrl')}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('answers health without sign-in', async () => {
    const response = await get('/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, db: 'up', queue: 'up' });
  });

  // made before any request: the blocking CLI calls would outlast the server's keep-alive mid-test
  let curator: string;
  let admin: string;
  let leaving: string;
  beforeAll(() => {
    curator = cli(['token', 'curator'], env()).trim();
    admin = cli(['token', 'admin'], env()).trim();
    cli(['user', 'add', 'leaving', '--role', 'curator', '--password', 'leaving-password'], env());
    leaving = cli(['token', 'leaving'], env()).trim();
  });

  it('requires a valid token for pairs and an admin token for users', async () => {
    expect((await get('/api/pairs')).status).toBe(401);
    expect((await get('/api/pairs', 'fs_bad-token')).status).toBe(401);
    const pairs = await get('/api/pairs', curator);
    expect(pairs.status).toBe(200);
    expect(await pairs.json()).toMatchObject({ items: expect.any(Array), nextCursor: null });
    expect((await get('/api/users', curator)).status).toBe(403);
    const users = await get('/api/users', admin);
    expect(users.status).toBe(200);
    expect((await users.json()).items.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['admin', 'curator']));
  });

  it('ignores a session cookie on a cross-site state-changing request', async () => {
    const signin = await fetch(`${inject('baseUrl')}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'admin', password: 'admin-password' }),
    });
    const cookie = signin.headers.get('set-cookie')!.split(';')[0];
    const body = JSON.stringify({ name: 'mallory', role: 'admin' });
    const crossSite = await fetch(`${inject('baseUrl')}/api/users`, { method: 'POST', headers: { cookie, origin: 'http://evil.example' }, body });
    expect(crossSite.status).toBe(401);
    const sameSite = await fetch(`${inject('baseUrl')}/api/users`, { method: 'POST', headers: { cookie, origin: inject('baseUrl') }, body });
    expect(sameSite.status).toBe(201);
  });

  it('remembers signed-in users between requests, and refuses one disabled from outside the server', async () => {
    const db = new pg.Client({ connectionString: inject('e2eDatabaseUrl') });
    await db.connect();
    try {
      expect((await get('/api/pairs', leaving)).status).toBe(200);
      const listening = await db.query(`SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN facesift_users' AND datname = current_database()`);
      expect(listening.rowCount).toBeGreaterThan(0);
      await db.query(`UPDATE "User" SET disabled = true WHERE name = 'leaving'`);
      await expect.poll(async () => (await get('/api/pairs', leaving)).status).toBe(401);
    } finally {
      await db.end();
    }
  });
});
