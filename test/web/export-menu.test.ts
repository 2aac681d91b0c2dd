import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApi, streamJob, type ApiHarness, type TestKey } from '../support/api-app';
import { ntscMp4 } from '../fixtures/small-media.fixture';
import { seedRenderedClip } from '../support/export-seed';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const WEB_DIST = join(ROOT, 'apps', 'web', 'dist');
const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'web');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The export menus in a real Chromium against the API serving the built web
 * app, with a rendered clip seeded the way the workers store it: no workers,
 * so it runs in seconds where the full web e2e takes minutes.
 */
describe('export menus in the web app', () => {
  let api: ApiHarness;
  let key: TestKey;
  let jobId: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      throw new Error('build the web app first: npm run web:build');
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startApi({ WEB_DIST_DIR: WEB_DIST });
    key = await api.createKey('creator', 'web-export');
    jobId = (
      await streamJob(api, key, readFileSync(await ntscMp4()), {
        filename: 'my talk.mp4',
        options: { removeSilence: true },
      })
    ).id;
    await seedRenderedClip(api, jobId);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const context = await browser.newContext({ acceptDownloads: true });
    // The key the app would have saved from its key form.
    await context.addInitScript(
      `localStorage.setItem('clipline.apiKey', ${JSON.stringify(key.key)})`,
    );
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('downloads a clip edit from its card, with the server name and the key', async () => {
    await page.goto(`${api.url}/#/jobs/${jobId}/clips`);
    const card = page.locator('li.clip[data-clip-status=completed]');
    await card.waitFor();
    // The clip still rendering has no export menu.
    await expect(
      page.locator('li.clip[data-clip-status=rendering] .export-menu').count(),
    ).resolves.toBe(0);
    await card.getByText('Export edit').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: /FCPXML/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('my_talk-clip-1-9x16.fcpxml');
    const saved = join(ARTIFACTS, 'export-menu-clip.fcpxml');
    await download.saveAs(saved);
    const xml = readFileSync(saved, 'utf8');
    expect(xml).toContain('<fcpxml version="1.10">');
    expect(xml.match(/<asset-clip /g)).toHaveLength(2);

    const [srt] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: /SRT/ }).click(),
    ]);
    expect(srt.suggestedFilename()).toBe('my_talk-clip-1-9x16.srt');
    await page.screenshot({ path: join(ARTIFACTS, 'export-menu.png'), fullPage: true });
  });

  it('downloads the whole job as an EDL from the page header', async () => {
    await page.getByText('Export all clips to an editor').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('list', { name: 'Job export formats' })
        .getByRole('button', { name: /EDL/ })
        .click(),
    ]);
    expect(download.suggestedFilename()).toBe('my_talk-clips.edl');
    const saved = join(ARTIFACTS, 'export-menu-job.edl');
    await download.saveAs(saved);
    const edl = readFileSync(saved, 'utf8');
    expect(edl).toContain('FCM: DROP FRAME');
    expect(edl).toMatch(/^002 {2}AX {7}B {5}C {8}\d\d:\d\d:\d\d;\d\d/m);
  });

  it('says so in the menu when the server refuses', async () => {
    await api.db.query(`UPDATE clips SET status = 'failed' WHERE job_id = $1`, [jobId]);
    // The page still shows the clip as rendered; the next export meets the 409.
    const card = page.locator('li.clip[data-clip-status=completed]');
    const [, alert] = await Promise.all([
      card.getByRole('button', { name: /OpenTimelineIO/ }).click(),
      card
        .getByRole('alert')
        .waitFor()
        .then(() => card.getByRole('alert').textContent()),
    ]);
    expect(alert).toMatch(/not rendered yet \(status: failed\)/);
  });
});
