import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDemoDataset } from '@/lib/cli/commands/demo';
import { launchBrowser, screenshot, signIn } from '../support/browser';
import { createTestDatabase } from '../support/database';
import { cli, serveFacesift } from '../support/e2e-instance';

const root = path.resolve(__dirname, '..', '..');
let browser: Browser;
let baseUrl: string;
let stop: () => Promise<void>;
let cleanUp: () => Promise<void>;

/** The demo's own sample and search (amy3 filed under penny, raj split over two folders, a copy of sheldon1), served apart from the other e2e tests. */
beforeAll(async () => {
  const database = await createTestDatabase('facesift_review_e2e');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-review-e2e-'));
  const dataset = path.join(home, 'dataset');
  prepareDemoDataset(dataset);
  const env = { DATABASE_URL: database.url, FACESIFT_HOME: home, FACESIFT_MODEL_DIR: process.env.FACESIFT_MODEL_DIR ?? path.join(root, '.facesift', 'models') };
  cli(['user', 'add', 'curator', '--role', 'curator', '--password', 'curator-password'], env);
  cli(['scan', '--root', dataset], env);
  cli(['search', '--threshold', '0.3'], env);
  ({ baseUrl, stop } = await serveFacesift(env));
  browser = await launchBrowser();
  cleanUp = async () => {
    await database.drop();
    fs.rmSync(home, { recursive: true, force: true });
  };
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
  await cleanUp?.();
});

const folderOf = (p: string) => p.slice(0, p.lastIndexOf('/'));

/** The key the demo's truth calls for on what the queue shows (a curator who knows the sample). */
function truthfulKeys(type: string, subject: string[]): string[] {
  const [a, b] = subject;
  const sameRaj = (x: string, y: string) => [x, y].sort().join('|') === 'raj|raj koothrappali';
  if (type === 'identity_pair') return [sameRaj(a, b) ? '1' : '3'];
  if (type === 'outlier') return [a === 'penny/amy3.png' ? (b === 'amy' ? '1' : 'fail') : '5'];
  if ([a, b].sort().join('|') === 'sheldon/sheldon1 copy.png|sheldon/sheldon1.png') return ['4', a === 'sheldon/sheldon1.png' ? 'a' : 'b'];
  if (a === 'penny/amy3.png' || b === 'penny/amy3.png') return [a === 'penny/amy3.png' ? '1' : '2'];
  if (sameRaj(folderOf(a), folderOf(b))) return ['3'];
  return ['5'];
}

async function shown(page: Page): Promise<{ type: string; id: string; subject: string[] }> {
  const queue = page.locator('[data-testid=review-queue][data-keys=ready]:not([data-busy])');
  await queue.waitFor();
  return {
    type: (await queue.getAttribute('data-type'))!,
    id: (await queue.getAttribute('data-item-id')) ?? '',
    subject: ((await queue.getAttribute('data-subject')) ?? '').split('\n'),
  };
}

describe('the review queue in the browser', () => {
  it('fixes every planted mistake of the demo from /review with the keyboard alone', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
    const page = await signIn(context, 'curator', 'curator-password');
    await page.goto('/review');
    const steps: string[] = [];
    for (let step = 1; step <= 40; step++) {
      const entry = await shown(page);
      if (entry.type === 'none') break;
      // what each verdict also resolves, and every image, before the picture is taken
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid^=preview-]')].every((p) => p.textContent !== '…') &&
          [...document.images].every((image) => image.complete && image.naturalWidth > 0),
      );
      await screenshot(page, `review-queue-step-${String(step).padStart(2, '0')}`);
      if (step === 1) {
        await page.setViewportSize({ width: 1920, height: 1080 });
        await page.emulateMedia({ colorScheme: 'dark' });
        await screenshot(page, 'review-queue-step-01-dark-1920');
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize({ width: 1280, height: 800 });
      }
      const keys = truthfulKeys(entry.type, entry.subject);
      steps.push(`${entry.type} ${entry.subject.join(' / ')}: ${keys.join(' ')}`);
      for (const key of keys) await page.keyboard.press(key);
      await page.waitForFunction(
        ({ type, id }) => {
          const queue = document.querySelector<HTMLElement>('[data-testid=review-queue]');
          return !!queue && !queue.dataset.busy && (queue.dataset.type !== type || queue.dataset.itemId !== id);
        },
        { type: entry.type, id: entry.id },
      );
    }
    await page.getByTestId('review-empty').waitFor();
    await screenshot(page, 'review-queue-empty');
    console.log(`review queue steps:\n  ${steps.join('\n  ')}`);

    const fixList = await (await page.request.get('/api/export?format=json')).json();
    const actions = fixList.actions.map((a: Record<string, string>) =>
      a.action === 'move' ? `move ${a.path} -> ${a.toIdentity}` : a.action === 'delete' ? `delete ${a.path}` : `merge ${a.fromIdentity} -> ${a.intoIdentity}`,
    );
    expect(actions).toEqual(expect.arrayContaining(['move penny/amy3.png -> amy', 'delete sheldon/sheldon1 copy.png']));
    expect(actions.filter((a: string) => a.startsWith('merge'))).toEqual([expect.stringMatching(/^merge (raj koothrappali -> raj|raj -> raj koothrappali)$/)]);
    expect(actions).toHaveLength(3);
    expect(steps.length).toBeLessThanOrEqual(12);
  });
});
