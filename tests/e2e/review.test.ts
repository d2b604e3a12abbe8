import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, signIn } from '../support/browser';
import { useOwnInstance } from '../support/e2e-instance';

// Deciding changes what every other reader of the lists sees: this file has an instance of its own.
useOwnInstance();

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface PairAnswer {
  id: number;
  status: string;
  decisions: { verdict: string; side: string | null; decidedBy: string }[];
}

const reviewedPairId = async (page: Page) => Number(await page.getByTestId('pair-review').getAttribute('data-pair-id'));

/** The review screen has moved to another pair than `from` (it does so without a page load). */
const movedFrom = (page: Page, from: number) =>
  page.waitForFunction((id) => document.querySelector<HTMLElement>('[data-testid=pair-review]')?.dataset.pairId !== String(id), from);

const showing = (page: Page, pairId: number) =>
  page.waitForFunction((id) => document.querySelector<HTMLElement>('[data-testid=pair-review]')?.dataset.pairId === String(id), pairId);

/** Shortcuts work once the page is hydrated; a key pressed before would be lost. */
const keysReady = (page: Page, screen: string) => page.locator(`[data-testid=${screen}][data-keys=ready]`).waitFor();

const settled = (page: Page) => page.getByTestId('save-state').getByText('All verdicts saved').waitFor();

const similarities = async (page: Page) => (await page.getByTestId('pairs-table').getByTestId('similarity').allTextContents()).map(parseFloat);

async function historyOf(page: Page): Promise<string[]> {
  return page.getByTestId('history-entry').allInnerTexts();
}

async function getPair(page: Page, id: number): Promise<PairAnswer> {
  return (await page.request.get(`/api/pairs/${id}`)).json();
}

describe('reviewing pairs', () => {
  it('sorts the list by similarity, decides the top pair from the keyboard, undoes, decides again and keeps the audit trail', async () => {
    const page = await signIn(await newContext(browser), 'curator', 'curator-password');
    await page.goto('/pairs');
    await keysReady(page, 'pairs-table');
    expect(await page.getByTestId('pair-row').count()).toBeGreaterThanOrEqual(3);

    await page.getByRole('button', { name: /similarity/i }).click();
    await page.waitForURL(/sort=-similarity/);
    const ascending = await similarities(page);
    expect(ascending).toEqual([...ascending].sort((x, y) => x - y));
    await page.getByRole('button', { name: /similarity/i }).click();
    await page.waitForURL((url) => !url.search.includes('sort='));
    await keysReady(page, 'pairs-table');
    const descending = await similarities(page);
    expect(descending).toEqual([...descending].sort((x, y) => y - x));

    // keyboard only: j focuses the first row, Enter opens it
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/pairs\/\d+/);
    await keysReady(page, 'pair-review');
    const top = await reviewedPairId(page);
    expect(parseFloat((await page.getByTestId('pair-review').getByTestId('similarity').textContent())!)).toBe(descending[0]);

    await page.keyboard.press('1');
    await movedFrom(page, top);
    const second = await reviewedPairId(page);
    expect(new URL(page.url()).pathname).toBe(`/pairs/${second}`);
    await settled(page);

    await page.keyboard.press('u');
    await showing(page, top);
    await page.getByTestId('pair-status').getByText('open').waitFor();
    await settled(page);
    expect(await historyOf(page)).toEqual([
      expect.stringMatching(/^open\s+reopened\s+by curator.*was mislabeled/),
      expect.stringMatching(/A is in the wrong folder/),
    ]);

    await page.keyboard.press('5');
    await movedFrom(page, top);
    expect(await reviewedPairId(page)).toBe(second);
    await settled(page);
    await page.keyboard.press('k');
    await showing(page, top);
    await page.getByTestId('pair-status').getByText('fine').waitFor();
    expect(await historyOf(page)).toHaveLength(3);
    expect((await historyOf(page))[0]).toMatch(/looks fine\s+by curator/);
    await page.keyboard.press('j');
    await showing(page, second);

    const audit = await getPair(page, top);
    expect(audit.status).toBe('fine');
    expect(audit.decisions.map((d) => [d.verdict, d.side, d.decidedBy])).toEqual([
      ['fine', null, 'curator'],
      ['open', null, 'curator'],
      ['mislabeled', 'a', 'curator'],
    ]);
    expect((await getPair(page, second)).decisions).toEqual([]);
  });

  it('asks which image to keep after 4, and Esc takes the question back', async () => {
    const page = await signIn(await newContext(browser), 'curator', 'curator-password');
    await page.goto('/pairs');
    await page.locator('a[data-row-link]').first().click();
    await page.waitForURL(/\/pairs\/\d+/);
    await keysReady(page, 'pair-review');
    const id = await reviewedPairId(page);
    await page.keyboard.press('4');
    await page.getByTestId('keep-prompt').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('keep-prompt').waitFor({ state: 'detached' });
    await page.keyboard.press('4');
    await page.keyboard.press('b');
    await movedFrom(page, id);
    await settled(page);
    const decided = await getPair(page, id);
    expect(decided.decisions[0]).toMatchObject({ verdict: 'duplicate', side: 'b', decidedBy: 'curator' });
    await page.keyboard.press('u');
    await settled(page);
    expect((await getPair(page, id)).status).toBe('open');
  });

  it('tells a curator that someone else decided the pair first, names them, and shows the pair as it is now', async () => {
    const mine = await signIn(await newContext(browser), 'curator', 'curator-password');
    const theirs = await signIn(await newContext(browser), 'admin', 'admin-password');
    const open = (await (await mine.request.get('/api/pairs?status=open&limit=1')).json()).items[0];
    await mine.goto(`/pairs/${open.id}`);
    await theirs.goto(`/pairs/${open.id}`);
    await keysReady(mine, 'pair-review');
    await keysReady(theirs, 'pair-review');

    await theirs.keyboard.press('5');
    await settled(theirs);
    await mine.keyboard.press('2');
    const notice = mine.getByTestId('notice-conflict');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/Conflict on pair \d+: admin decided it first \(looks fine/);
    await screenshot(mine, 'review-conflict');

    await notice.getByRole('button', { name: `Show pair ${open.id} as it is now` }).click();
    await showing(mine, open.id);
    await mine.getByTestId('pair-status').getByText('fine').waitFor();
    expect((await historyOf(mine))[0]).toMatch(/looks fine\s+by admin/);
    expect((await getPair(mine, open.id)).decisions[0]).toMatchObject({ verdict: 'fine', decidedBy: 'admin' });
  });
});

describe('merge suggestions and outliers', () => {
  it('decides a merge suggestion from its page, with both galleries and the strongest pairs as evidence', async () => {
    const page = await signIn(await newContext(browser), 'curator', 'curator-password');
    await page.goto('/identities/merge');
    await page.getByRole('link', { name: /penny \+ penny_b/ }).click();
    await keysReady(page, 'merge-verdict');
    expect(await page.getByTestId('gallery-a').locator('li').count()).toBe(3);
    expect(await page.getByTestId('gallery-b').locator('li').count()).toBe(2);
    expect(await page.getByTestId('strongest-pairs').locator('li').count()).toBeGreaterThan(0);
    await page.keyboard.press('1');
    await page.getByTestId('merge-status').getByText('same').waitFor();
    expect(await historyOf(page)).toEqual([expect.stringMatching(/same person, merge into penny\s+by curator/)]);
    await page.keyboard.press('u');
    await page.getByTestId('merge-status').getByText('open').waitFor();
  });

  it('moves the planted outlier to the person it looks like', async () => {
    const page = await signIn(await newContext(browser), 'curator', 'curator-password');
    await page.goto('/outliers');
    // the header's meter fills in once the page is hydrated and its buttons work
    await page.getByTestId('progress-meter').waitFor();
    const card = page.getByTestId('outlier-card').filter({ hasText: 'sheldon5.png' });
    await card.getByRole('button', { name: 'belongs to sheldon' }).click();
    await card.getByTestId('outlier-status').getByText('mislabeled').waitFor();
    expect(await card.getByTestId('outlier-status').textContent()).toContain('belongs to sheldon, not leonard');
  });
});

describe('how it looks', () => {
  const sizes = [
    [1280, 800],
    [1920, 1080],
  ] as const;

  it.each(['light', 'dark'] as const)('renders the list, the review screen and a merge suggestion in %s mode', async (colorScheme) => {
    for (const [width, height] of sizes) {
      const page = await signIn(await newContext(browser, { colorScheme, width, height }), 'curator', 'curator-password');
      const suffix = `${width}x${height}-${colorScheme}`;
      await page.goto('/pairs?status=all');
      await page.getByTestId('progress-meter').waitFor();
      await screenshot(page, `pairs-list-${suffix}`);
      await page.locator('a[data-row-link]').first().click();
      await page.getByTestId('pair-review').waitFor();
      await page
        .getByTestId('side-a')
        .locator('img')
        .first()
        .evaluate((img: HTMLImageElement) => img.decode());
      await screenshot(page, `pair-review-${suffix}`);
      await page.goto('/identities/merge');
      await page.getByRole('link', { name: /penny \+ penny_b/ }).click();
      await page.getByTestId('merge-suggestion').waitFor();
      await screenshot(page, `merge-suggestion-${suffix}`);
      await page.context().close();
    }
  });
});
