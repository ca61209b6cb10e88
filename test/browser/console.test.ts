/**
 * The operations console in a real browser (Debian's Chromium, driven by playwright-core):
 * one runtime over a watched folder and one browser for every case — load, a live update
 * after an edit, sync now, a typed confirmation, search with the query in the URL, and a
 * screenshot kept under test-artifacts/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { startRuntime, type Runtime } from '../../functions/local/runtime.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let dir: string;
let stack: LocalStack;
let runtime: Runtime;
let browser: Browser;
let page: Page;

const doc = (title: string, body: string) => `# ${title}\n\n${body}\n`;

async function documents(): Promise<number> {
  let n = 0;
  for await (const entry of stack.state.listDocuments('docs')) if (!entry.deleted && entry.contentHash) n += 1;
  return n;
}

async function until(what: string, test: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-console-'));
  await mkdir(join(dir, 'corpus'));
  await writeFile(join(dir, 'corpus', 'rotate.md'), doc('Rotating database credentials', 'To rotate database credentials, create the new user first, then switch the secret.'));
  await writeFile(join(dir, 'corpus', 'deploy.md'), doc('Deploying', 'Deploys go out from main every afternoon.'));
  await writeFile(join(dir, 'tributary.config.json'), JSON.stringify({
    sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'], watch: true, schedule: 'rate(1 day)' }],
  }));
  const loaded = loadConfig({ cwd: dir, allowDemo: false });
  stack = await openLocalStack(loaded, { log: silentLogger, runtime: true });
  // A task given up earlier, for the dead-letter panel.
  await stack.queue.deadLetter('fetch', JSON.stringify({ type: 'fetch', sourceId: 'docs', trigger: 'schedule', requestedAt: new Date().toISOString() }), 'source answered 503 five times');
  runtime = await startRuntime(stack, { port: 0, host: '127.0.0.1', log: silentLogger, secret: () => undefined });
  await until('the initial sync', async () => (await documents()) === 2);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('console in Chromium', () => {
  it('loads: the source is healthy, with its documents, last run, schedule and watcher; a screenshot is kept', async () => {
    // Act
    await page.goto(`${runtime.url}/`);
    const card = page.locator('article.card', { hasText: 'docs' });

    // Assess
    await expect.poll(() => card.locator('.badge').textContent()).toBe('Healthy');
    const text = await card.textContent();
    expect(text).toMatch(/Documents\s*2/);
    expect(text).toMatch(/Last run\s*schedule, succeeded/);
    expect(text).toMatch(/Next run\s*in \d+ h \(rate\(1 day\)\)/);
    expect(text).toMatch(/Watcher\s*watching/);
    expect(await page.locator('#live').textContent()).toMatch(/^live/);
    expect(await page.locator('#charts svg[role="img"]').count()).toBe(4);
    // Every form control is labelled.
    const unlabelled = await page.$$eval('input, select', (els) => els.filter((e) => !(e as unknown as { labels: { length: number } | null }).labels?.length).map((e) => e.id));
    expect(unlabelled).toEqual([]);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console.png'), fullPage: true });
    expect(existsSync(join(ARTIFACTS, 'console.png'))).toBe(true);
  });

  it('updates live: a file added under the watched folder shows up without a reload', async () => {
    // Prepare
    const card = page.locator('article.card', { hasText: 'docs' });
    const reloads: string[] = [];
    page.on('framenavigated', (f) => reloads.push(f.url()));

    // Act
    await writeFile(join(dir, 'corpus', 'oncall.md'), doc('On-call', 'The on-call engineer answers pages within five minutes.'));

    // Assess
    await expect.poll(async () => card.textContent(), { timeout: 15_000 }).toMatch(/Documents\s*3/);
    // "Last sync" is that run's (the watcher's), not the last full pass.
    expect(await card.textContent()).toMatch(/Last sync\s*\d+s ago \(watch\)/);
    expect(reloads).toEqual([]);
  });

  it('sync now queues a run that appears in the history', async () => {
    // Act
    await page.locator('article.card', { hasText: 'docs' }).getByRole('button', { name: 'Sync now' }).click();

    // Assess
    await expect.poll(() => page.locator('#toast').textContent()).toBe('sync of docs queued');
    await expect.poll(() => page.locator('#runs tbody tr').first().locator('td').nth(1).textContent(), { timeout: 10_000 }).toBe('admin');
  });

  it('asks for the name typed out before a destructive action, and runs it only then', async () => {
    // Prepare: a dead letter is listed.
    const dead = page.locator('#dead-list');
    await expect.poll(() => dead.textContent()).toMatch(/source answered 503 five times/);

    // Act: reset, then cancel.
    await page.locator('article.card', { hasText: 'docs' }).getByRole('button', { name: 'Reset' }).click();
    const dialog = page.locator('dialog#confirm');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.locator('#confirm-input').fill('doc');
    const disabledOnWrongName = await page.locator('#confirm-ok').isDisabled();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Assess: nothing was reset.
    expect(disabledOnWrongName).toBe(true);
    expect(await dialog.isVisible()).toBe(false);
    expect(await documents()).toBe(3);

    // Act: discard the dead letter, typing the queue's name.
    await dead.getByRole('button', { name: 'Discard', exact: true }).click();
    await page.locator('#confirm-input').fill('fetch');
    await page.locator('#confirm-ok').click();

    // Assess
    await expect.poll(() => page.locator('#toast').textContent()).toBe('1 dead letter discarded from the fetch queue');
    await expect.poll(() => dead.textContent()).toBe('No dead-lettered tasks.');
    expect(await stack.queue.inspectDeadLetters('fetch', 10)).toEqual([]);
  });

  it('searches: titles, highlighted matches, a source filter, and the query in the URL', async () => {
    // Act
    await page.locator('#q').fill('rotate database credentials');
    await page.locator('#source').selectOption('docs');
    await page.locator('#q').press('Enter');

    // Assess
    const first = page.locator('#results article.hit').first();
    await expect.poll(() => first.locator('h3').textContent()).toBe('Rotating database credentials');
    expect(await first.locator('mark').allTextContents()).toEqual(expect.arrayContaining(['rotate', 'database', 'credentials']));
    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe('rotate database credentials');
    expect(url.searchParams.get('source')).toBe('docs');

    // Act: the URL alone brings the same search back, on a phone-sized screen.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(url.href);

    // Assess
    await expect.poll(() => phone.locator('#results article.hit h3').first().textContent()).toBe('Rotating database credentials');
    expect(await phone.locator('#q').inputValue()).toBe('rotate database credentials');
    // Runs in the page: `document` is the browser's.
    const overflow = await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: join(ARTIFACTS, 'console-phone.png'), fullPage: true });
    await phone.close();
  });
});
