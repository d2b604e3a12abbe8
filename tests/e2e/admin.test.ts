import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser';
import { cli, useOwnInstance } from '../support/e2e-instance';

// Rescans, settings and users change what other files would read: this file has an instance of its own.
const app = useOwnInstance();

function call(method: string, path: string, token: string | null, body?: unknown) {
  return fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let browser: Browser;
let adminToken: string;
let curatorToken: string;
beforeAll(async () => {
  browser = await launchBrowser();
  adminToken = cli(['token', 'admin'], app.env).trim();
  curatorToken = cli(['token', 'curator'], app.env).trim();
});
afterAll(async () => {
  await browser?.close();
});

/** Reads a job card's bar every 100 ms until the job reaches `status`; answers every value seen. */
async function watchProgress(page: Page, jobId: string, status: string, timeoutMs = 150_000): Promise<number[]> {
  const card = page.locator(`[data-job-id="${jobId}"]`);
  const seen: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // status first: React sets both in one commit, so the value read after it is at least as new
    const reached = (await card.getAttribute('data-status')) === status;
    const value = await card.getByRole('progressbar').getAttribute('aria-valuenow');
    if (value !== null && seen.at(-1) !== Number(value)) seen.push(Number(value));
    if (reached) return seen;
    await page.waitForTimeout(100);
  }
  throw new Error(`job ${jobId} did not reach ${status}; bar values seen: ${seen.join(', ')}`);
}

describe('admin pages and routes are for admins only', () => {
  const id = randomUUID();
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/jobs'],
    ['GET', `/api/jobs/${id}`],
    ['DELETE', `/api/jobs/${id}`],
    ['POST', `/api/jobs/${id}/retry`],
    ['POST', '/api/scans', { mode: 'full', search: false }],
    ['GET', `/api/scans/${id}`],
    ['DELETE', `/api/scans/${id}`],
    ['GET', '/api/settings'],
    ['PATCH', '/api/settings', { crossThreshold: 0.99 }],
    ['GET', '/api/users'],
    ['POST', '/api/users', { name: 'intruder', role: 'admin' }],
    ['PATCH', '/api/users/1', { role: 'curator' }],
  ];

  it('answers a curator 403 and a stranger 401 on every admin API route, and changes nothing', async () => {
    for (const [method, path, body] of routes) {
      expect((await call(method, path, curatorToken, body)).status, `${method} ${path} as curator`).toBe(403);
      expect((await call(method, path, null, body)).status, `${method} ${path} signed out`).toBe(401);
    }
    expect((await (await call('GET', '/api/settings', adminToken)).json()).crossThreshold).not.toBe(0.99);
    const users = (await (await call('GET', '/api/users', adminToken)).json()).items;
    expect(users.map((u: { name: string }) => u.name)).not.toContain('intruder');
    expect(users.find((u: { name: string }) => u.name === 'admin').role).toBe('admin');
  });

  it('answers a curator 403 on every admin page', async () => {
    const page = await signIn(await newContext(browser), 'curator', 'curator-password');
    for (const path of ['/admin', '/admin/settings', '/admin/users']) {
      expect((await page.goto(path))?.status(), path).toBe(403);
      expect(await page.getByRole('heading').first().textContent()).toContain('admins only');
    }
  });
});

describe('the jobs API', () => {
  it('starts a scan, reports it with the documented fields, and refuses a second one while it runs', async () => {
    const started = await call('POST', '/api/scans', adminToken, { mode: 'incremental', search: false });
    expect(started.status).toBe(202);
    const { id } = await started.json();
    const again = await call('POST', '/api/scans', adminToken, { mode: 'full', search: false });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toContain(id);
    let scan: Record<string, unknown> = {};
    await expect
      .poll(async () => (scan = await (await call('GET', `/api/scans/${id}`, adminToken)).json()).status, { timeout: 120_000, interval: 500 })
      .toBe('done');
    expect(scan).toMatchObject({
      id,
      status: 'done',
      total: expect.any(Number),
      done: expect.any(Number),
      failed: 0,
      errors: [],
      kind: 'scan',
      createdBy: 'admin',
    });
    expect((await call('GET', `/api/scans/${randomUUID()}`, adminToken)).status).toBe(404);
    expect((await call('POST', '/api/scans', adminToken, { mode: 'sometimes' })).status).toBe(400);
  });
});

describe('rescans in the browser', () => {
  it('lets an admin start a rescan and watch its progress bar move to 100% without reloading', async () => {
    const page = await signIn(await newContext(browser), 'admin', 'admin-password');
    await page.goto('/admin');
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    // embed only: the search is not what this test watches, and would only make it longer
    await page.getByRole('radio', { name: 'Full', exact: true }).check();
    await page.getByRole('radio', { name: 'Embed only', exact: true }).check();
    const existing = await page.getByTestId('job').count();
    await page.getByRole('button', { name: 'Start scan' }).click();
    await expect.poll(() => page.getByTestId('job').count()).toBe(existing + 1);
    const jobId = (await page.getByTestId('job').first().getAttribute('data-job-id'))!;
    await screenshot(page, 'admin-jobs-started-light');

    const seen = await watchProgress(page, jobId, 'done');
    console.info(`progress bar values seen: ${seen.join(' → ')}`);
    expect(seen.at(-1)).toBe(100);
    expect(Math.min(...seen)).toBeLessThan(100);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    const card = page.locator(`[data-job-id="${jobId}"]`);
    expect(await card.getByTestId('job-facts').textContent()).toMatch(/\d+ \/ \d+ images/);
    expect(await card.textContent()).toContain('started by admin');
    expect(await card.getByTestId('job-children').textContent()).toMatch(/^(\d+) \/ \1 embed batches done$/);
    expect(await card.getByTestId('job-workers').textContent()).toMatch(/\S+:\d+[\d,]+ images[\d.]+ images\/s/);
    await page.waitForTimeout(1_000); // the bar's width transition
    await screenshot(page, 'admin-jobs-light');

    const dark = await signIn(await newContext(browser, { colorScheme: 'dark' }), 'admin', 'admin-password');
    await dark.goto('/admin');
    await dark.getByTestId('job').first().waitFor();
    await screenshot(dark, 'admin-jobs-dark');
  });

  it("counts a queued search's tiles once on its card, beside the workers that ran them", async () => {
    const jobId = cli(['search', '--enqueue', '--tile-rows', '10'], app.env).trim();
    const page = await signIn(await newContext(browser), 'admin', 'admin-password');
    await page.goto('/admin');
    const card = page.locator(`[data-job-id="${jobId}"]`);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 120_000, interval: 250 }).toBe('done');
    expect(await card.getByTestId('job-facts').textContent()).toMatch(/(\d+) \/ \1 tiles/);
    expect((await card.textContent())!.match(/\d+ \/ \d+ tiles/g)).toHaveLength(1);
    expect(await card.getByTestId('job-workers').textContent()).toMatch(/\S+:\d+[\d,]+ tiles?/);
  });

  it('cancels a job from its card and retries it to the end', async () => {
    const page = await signIn(await newContext(browser, { colorScheme: 'dark' }), 'admin', 'admin-password');
    await page.goto('/admin');
    await page.getByRole('radio', { name: 'Full', exact: true }).check();
    await page.getByRole('radio', { name: 'Embed only', exact: true }).check();
    await page.getByRole('button', { name: 'Start scan' }).click();
    const card = page.getByTestId('job').filter({ hasText: 'Scan · full · embed only' }).first();
    await card.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('cancelled');
    await card.getByRole('button', { name: 'Retry', exact: true }).click();
    await expect.poll(() => card.getAttribute('data-status')).not.toBe('cancelled');
    await screenshot(page, 'admin-jobs-retried-dark');
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 150_000, interval: 500 }).toBe('done');
    expect(await card.getByTestId('job-percent').textContent()).toBe('100%');
  });
});

describe('failures in the browser', () => {
  it('shows why a job failed and, when opened, each failed image with its reason', async () => {
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    const errors = [
      { path: 'amy/broken.png', reason: 'cannot be read: unexpected end of file' },
      { path: 'raj/raj 2.png', reason: 'no face found' },
    ];
    const { rows } = await db.query(
      `INSERT INTO "Job" (id, kind, status, params, total, done, failed, errors, error, "startedAt", "finishedAt")
       VALUES ($1, 'import-npz', 'failed', '{}', 40, 38, 2, $2, 'the worker stopped: out of memory', now() - interval '20 seconds', now()) RETURNING id`,
      [randomUUID(), JSON.stringify(errors)],
    );
    await db.end();
    const page = await signIn(await newContext(browser), 'admin', 'admin-password');
    await page.goto('/admin');
    const card = page.locator(`[data-job-id="${rows[0].id}"]`);
    expect(await card.getByTestId('job-error').textContent()).toBe('the worker stopped: out of memory');
    expect(await card.getByTestId('job-facts').textContent()).toContain('40 / 40 images · 2 failed');
    await card.getByText('2 problems').click();
    await expect.poll(() => card.getByTestId('job-failures').textContent()).toContain('amy/broken.png: cannot be read: unexpected end of file');
    expect(await card.getByTestId('job-failures').textContent()).toContain('raj/raj 2.png: no face found');
    expect(await card.getByRole('button', { name: 'Retry', exact: true }).isVisible()).toBe(true);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-jobs-failures-light');
  });
});

describe('a rescan of a root that looks unmounted, in the browser', () => {
  it('shows why the scan stopped, and offers to accept that most images are gone', async () => {
    const away = `${app.dataset}.away`;
    fs.renameSync(app.dataset, away);
    fs.mkdirSync(app.dataset);
    try {
      const page = await signIn(await newContext(browser), 'admin', 'admin-password');
      await page.goto('/admin');
      await page.getByRole('radio', { name: 'Embed only', exact: true }).check();
      const existing = await page.getByTestId('job').count();
      await page.getByRole('button', { name: 'Start scan' }).click();
      await expect.poll(() => page.getByTestId('job').count()).toBe(existing + 1);
      const card = page.getByTestId('job').first();
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000, interval: 250 }).toBe('failed');
      expect(await card.getByTestId('job-error').textContent()).toMatch(
        /finds 40 of the 40 images gone: is the disk unmounted or the folder emptied\? Nothing was marked gone/,
      );
      expect(await page.getByRole('checkbox', { name: /Accept that most images are gone/ }).isChecked()).toBe(false);
      await screenshot(page, 'admin-scan-refused-light');
      const db = new pg.Client({ connectionString: app.databaseUrl });
      await db.connect();
      const { rows } = await db.query(`SELECT count(*)::int AS gone FROM "Image" WHERE status = 'gone'`);
      await db.end();
      expect(rows[0].gone).toBe(0);
    } finally {
      fs.rmSync(app.dataset, { recursive: true });
      fs.renameSync(away, app.dataset);
    }
  });
});

describe('settings and users in the browser', () => {
  it('shows the similarity histogram with the thresholds marked, and moves a marker as a threshold is typed', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await signIn(await newContext(browser, { colorScheme }), 'admin', 'admin-password');
      await page.goto('/admin/settings');
      await page.getByTestId('similarity-histogram').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('threshold-marker').count()).toBeGreaterThanOrEqual(2);
      await page.getByLabel('Cross-identity threshold').fill('0.55');
      await expect.poll(() => page.getByTestId('threshold-effect').textContent()).toContain('At 0.55');
      await screenshot(page, `admin-settings-${colorScheme}`);
    }
  });

  it('refuses an invalid setting with the reason, and saves a valid one', async () => {
    const before = (await (await call('GET', '/api/settings', adminToken)).json()).duplicateThreshold;
    const page = await signIn(await newContext(browser), 'admin', 'admin-password');
    await page.goto('/admin/settings');
    await page.getByLabel('Recognition model').fill('/nowhere/model.onnx');
    await page.getByLabel('Preset').selectOption('insightface-arcface');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'does not exist' }).textContent()).toContain('/nowhere/model.onnx does not exist');
    await page.getByLabel('Recognition model').fill('default');
    await page.getByLabel('Preset').selectOption('default');
    await page.getByLabel('Duplicate threshold').fill('0.96');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).count()).toBe(1);
    expect((await (await call('GET', '/api/settings', adminToken)).json()).duplicateThreshold).toBe(0.96);
    expect((await call('PATCH', '/api/settings', adminToken, { duplicateThreshold: before })).status).toBe(200);
  });

  it('lets an admin add a user, change their role, disable them and reset their password', async () => {
    const page = await signIn(await newContext(browser), 'admin', 'admin-password');
    await page.goto('/admin/users');
    await page.getByLabel('Name').fill('reviewer');
    await page.getByRole('button', { name: 'Add user' }).click();
    const notice = page.getByTestId('users-notice');
    // each answer hashes a password (scrypt, 32 MB): seconds on a loaded machine, past expect.poll's default second
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toMatch(/Added reviewer\. Their password \(shown once\): \S{8,}/);
    const row = page.getByTestId('user-reviewer');
    await row.getByLabel('Role of reviewer').selectOption('admin');
    await expect.poll(() => notice.textContent()).toContain('reviewer is now admin');
    await row.getByRole('button', { name: 'Disable', exact: true }).click();
    await expect.poll(() => row.textContent()).toContain('disabled');
    await row.getByRole('button', { name: 'Reset password' }).click();
    await row.getByLabel('New password for reviewer').fill('a-new-password');
    await row.getByRole('button', { name: 'Set', exact: true }).click();
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain('New password for reviewer: a-new-password');
    expect(await page.getByTestId('user-admin').getByRole('button', { name: 'Disable', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'admin-users-light');
    const dark = await signIn(await newContext(browser, { colorScheme: 'dark' }), 'admin', 'admin-password');
    await dark.goto('/admin/users');
    await screenshot(dark, 'admin-users-dark');

    await row.getByRole('button', { name: 'Enable', exact: true }).click();
    await expect.poll(() => row.textContent()).toContain('active');
    const signedIn = await signIn(await newContext(browser), 'reviewer', 'a-new-password');
    expect(await signedIn.getByTestId('current-user').textContent()).toContain('reviewer');
  });
});
