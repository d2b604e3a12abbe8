import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('public files', () => {
  it.each([
    ['/robots.txt', /^text\/plain/, (body: Buffer) => expect(body.toString()).toBe('User-agent: *\nDisallow: /\n')],
    ['/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)/, (body: Buffer) => expect([...body.subarray(0, 4)]).toEqual([0, 0, 1, 0])],
    ['/logo.svg', /^image\/svg\+xml/, (body: Buffer) => expect(body.toString()).toMatch(/^<svg [^>]*viewBox="0 0 64 64"/)],
  ])('serves %s to anyone, signed in or not', async (path, type, check) => {
    const response = await fetch(`${inject('baseUrl')}${path}`, { redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    check(Buffer.from(await response.arrayBuffer()));
  });

  it('shows the logo on the sign-in page and in the nav bar, and names the icons in every page head', async () => {
    const page = await (await newContext(browser)).newPage();
    await page.goto('/signin');
    const logo = page.locator('main img[src="/logo.svg"]');
    await logo.waitFor();
    expect(await logo.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth > 0))).toBe(true);
    expect(await page.locator('head link[rel="icon"]').evaluateAll((links) => links.map((l) => l.getAttribute('href')))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/favicon\.ico/), expect.stringMatching(/^\/logo\.svg/)]),
    );
    const signedIn = await signIn(await newContext(browser), 'curator', 'curator-password');
    await signedIn.locator('header nav img[src="/logo.svg"]').waitFor();
    await screenshot(signedIn, 'nav-logo');
  });
});

describe('export links', () => {
  it('gives a curator a download of each format from the dashboard', async () => {
    const page = await signIn(await newContext(browser), 'curator', 'curator-password');
    await page.goto('/');
    const links = page.getByTestId('export-links').getByRole('link');
    expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
      '/api/export?format=json',
      '/api/export?format=csv',
      '/api/export?format=seed-csv',
      '/api/export?format=sh',
    ]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Shell script' }).click()]);
    expect(download.suggestedFilename()).toBe('facesift-fix-list.sh');
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toMatch(/^#!\/bin\/sh\n# facesift fix list/);
    for (const format of ['json', 'csv', 'seed-csv']) {
      const response = await page.request.get(`/api/export?format=${format}`);
      expect(response.status(), format).toBe(200);
      expect(response.headers()['content-disposition'], format).toMatch(/^attachment; filename="facesift-fix-list/);
    }
    await screenshot(page, 'dashboard-export-links');
  });
});
