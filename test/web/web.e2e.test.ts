import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { FFPROBE_PATH } from '@clipline/media';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
import { buildTalkingHead } from '../fixtures/talking-head.fixture';
import { WORKERS, Stack, bootStack, createTestKey } from '../support/stack';

jest.setTimeout(20 * 60_000);

const ROOT = join(__dirname, '..', '..');
const WEB_DIST = join(ROOT, 'apps', 'web', 'dist');
const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'web');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface StageRow {
  stage: string;
  status: string;
  attempt: number;
  finishedAt: string | null;
}

/**
 * The web app in a real Chromium against the real stack: the API serving the
 * built SPA, five workers, Postgres, Redis and s3rver. Everything goes through
 * the page the way a person would use it; REST is only used to check results.
 */
describe('web app end to end', () => {
  let stack: Stack;
  let base: string;
  let key: string;
  let db: Client;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const shot = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  const rest = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };

  const stagesOf = async (jobId: string) =>
    (await rest<{ status: string; stages: StageRow[] }>(`/v1/jobs/${jobId}`)).stages;

  const diagnostics = () =>
    ['api', ...WORKERS].map((a) => `--- ${a}\n${stack.tail(a as never, 12)}`).join('\n');

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      throw new Error('build the web app first: npm run web:build');
    }
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    key = await createTestKey(db, 'web-e2e');
    ({ stack, base } = await bootStack({
      WEB_DIST_DIR: WEB_DIST,
      // Small parts so a modest file is uploaded as several parts in parallel.
      UPLOAD_PART_SIZE_MB: '5',
      HEARTBEAT_SECONDS: '1',
      RECONCILE_INTERVAL_SECONDS: '1',
      RETRY_BASE_DELAY_MS: '500',
    }));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stopAll();
    await db?.end();
  });

  it('refuses a wrong key in plain words, then accepts the right one', async () => {
    await page.goto(base);
    await page.getByRole('textbox', { name: 'API key' }).fill('clk_not_a_real_key_at_all_000000');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await shot('01-key-refused');

    await page.getByRole('textbox', { name: 'API key' }).fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByRole('button', { name: 'Change key' }).waitFor();
    // An ops key sees the Ops page in the navigation.
    await page.getByRole('link', { name: 'Ops' }).waitFor();
    await shot('02-upload-empty');
  });

  it('uploads several parts in parallel, resumes after a reload, and explains a file that is not media', async () => {
    // 27 MB of noise named like a video: six 5 MiB parts, then a 422 from the probe.
    const bogus = join(ARTIFACTS, 'not-a-video.mp4');
    writeFileSync(bogus, randomBytes(27 * 1024 * 1024));
    const cdp = await context.newCDPSession(page);
    // Slow enough to reload in the middle (about 4 MB/s).
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 4 * 1024 * 1024,
    });
    await page.setInputFiles('#file-input', bogus);
    await page.getByRole('button', { name: 'Upload and create clips' }).click();
    const status = page.getByTestId('upload-status');
    await page.waitForFunction(
      `/part [4-6]\\/6/.test(document.querySelector('[data-testid=upload-status]')?.textContent ?? '')`,
      undefined,
      { timeout: 60_000 },
    );
    expect(await status.textContent()).toMatch(/MB\/s|KB\/s/);
    await shot('03-upload-in-progress');
    const before = JSON.parse(
      (await page.evaluate<string | null>(`localStorage.getItem('clipline.uploads')`)) ?? '{}',
    ) as Record<string, { uploadId: string }>;
    const uploadId = Object.values(before)[0].uploadId;
    const stored = await rest<{ parts: unknown[]; partCount: number }>(`/v1/uploads/${uploadId}`);
    expect(stored.partCount).toBe(6);
    expect(stored.parts.length).toBeGreaterThanOrEqual(4);

    await page.reload();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page
      .getByRole('region', { name: 'Unfinished uploads' })
      .getByText('not-a-video.mp4')
      .waitFor();
    await page.setInputFiles('#file-input', bogus);
    await page.getByRole('button', { name: 'Upload and create clips' }).click();
    await page.getByText(/Resuming: [4-6] of 6 parts were already stored/).waitFor();
    const error = page.getByTestId('upload-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(/cannot be processed/i);
    await shot('04-upload-bad-file');
  });

  let jobId: string;

  it('uploads a talk and shows every stage finishing live, then the clip', async () => {
    const sentences = TALK_SENTENCES.slice(0, 6);
    const speech = await buildSpeech({ sentences, pauses: [0.8, 1.5, 0.6, 2.0, 0.9, 1.2] });
    const total = Math.ceil(speech.truth.durationSec);
    const talk = await buildTalkingHead({
      width: 640,
      height: 360,
      fps: 25,
      audioPath: speech.wavPath,
      scenes: [
        { duration: total, background: 'navy', faces: [{ size: 200, from: { x: 220, y: 80 } }] },
      ],
    });
    expect(talk.durationSec).toBeGreaterThanOrEqual(25);

    await page.goto(`${base}/#/`);
    await page.setInputFiles('#file-input', talk.path);
    await page.getByLabel('Number of clips').fill('1');
    await page.getByLabel('Shortest clip (s)').fill('8');
    await page.getByLabel('Longest clip (s)').fill('20');
    await shot('05-upload-ready');
    await page.getByRole('button', { name: 'Upload and create clips' }).click();
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    jobId = /#\/jobs\/([0-9a-f-]{36})/.exec(page.url())![1];

    // Live: at least one stage is seen running with a progress bar before the end.
    const seenRunning = page
      .locator('li.stage[data-status=running]')
      .first()
      .waitFor({ timeout: 5 * 60_000 })
      .then(() => shot('06-job-running'))
      .then(() => true);
    try {
      await page
        .getByTestId('job-status')
        .filter({ hasText: 'completed' })
        .waitFor({ timeout: 12 * 60_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${diagnostics()}`);
    }
    expect(await seenRunning).toBe(true);
    for (const s of ['probe', 'transcription', 'silence', 'layout', 'segmenting', 'rendering']) {
      expect(await page.locator(`li.stage[data-stage=${s}]`).getAttribute('data-status')).toMatch(
        /completed|skipped/,
      );
    }
    await page.locator('video').first().waitFor({ timeout: 30_000 });
    await shot('07-job-completed');
  });

  it('plays the clip inline and downloads the MP4', async () => {
    await page.goto(`${base}/#/jobs/${jobId}/clips`);
    const video = page.locator('li.clip video').first();
    await video.waitFor();
    await expect(page.locator('li.clip .reason').first().textContent()).resolves.toBeTruthy();
    await expect(page.locator('li.clip .excerpt').first().textContent()).resolves.toMatch(/\w+/);
    // Page-side code as strings: the test's tsconfig has no DOM types.
    const clipVideo = `document.querySelector('li.clip video')`;
    await page.evaluate(
      `(async () => { const v = ${clipVideo}; v.muted = true; await v.play(); })()`,
    );
    await page.waitForFunction(
      `(() => { const v = ${clipVideo}; return v.readyState >= 2 && v.currentTime > 0.5; })()`,
      undefined,
      { timeout: 30_000 },
    );
    await page.evaluate(`${clipVideo}.pause()`);
    await shot('08-clips');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('link', { name: /Download MP4/ })
        .first()
        .click(),
    ]);
    const saved = join(ARTIFACTS, 'downloaded-clip.mp4');
    await download.saveAs(saved);
    expect(statSync(saved).size).toBeGreaterThan(10_000);
    const probe = JSON.parse(
      (
        await promisify(execFile)(FFPROBE_PATH, [
          '-v',
          'error',
          '-print_format',
          'json',
          '-show_streams',
          saved,
        ])
      ).stdout,
    ) as { streams: Array<{ codec_type: string; codec_name: string; height: number }> };
    const v = probe.streams.find((s) => s.codec_type === 'video');
    expect(v?.codec_name).toBe('h264');
    expect(v?.height).toBe(1920);
  });

  it('lists the job with its clip count', async () => {
    await page.goto(`${base}/#/jobs`);
    const row = page.locator('table.jobs tbody tr').first();
    await row.getByText('completed').waitFor();
    await expect(row.locator('td[data-label=Clips]').textContent()).resolves.toBe('1');
    await shot('09-jobs');
  });

  it('re-runs a stage from the ops page and the job page shows it run again', async () => {
    const before = (await stagesOf(jobId)).find((s) => s.stage === 'rendering')!;
    await page.goto(`${base}/#/ops`);
    await page.locator('tr[data-queue=rendering]').waitFor();
    // Every stage's worker is listed live, with the host and pid that runs it.
    for (const stage of ['transcription', 'silence', 'layout', 'segmenting', 'rendering']) {
      const row = page.locator(`tr[data-worker=${stage}]`).first();
      await expect(row.locator('td[data-label=State]').textContent()).resolves.toBe('live');
      await expect(row.locator('td[data-label=Host]').textContent()).resolves.toMatch(/:\d+$/);
    }
    await page.getByLabel('Job', { exact: true }).selectOption(jobId);
    await page.getByLabel('Stage', { exact: true }).selectOption('rendering');
    await shot('10-ops');
    await page.getByRole('button', { name: 'Re-run stage and what follows' }).click();
    await page.getByTestId('ops-message').filter({ hasText: 'running again' }).waitFor();

    await page.getByRole('link', { name: 'Watch this job' }).click();
    await page.waitForURL(new RegExp(`#/jobs/${jobId}$`));
    const t0 = Date.now();
    let after: StageRow | undefined;
    while (Date.now() - t0 < 5 * 60_000) {
      after = (await stagesOf(jobId)).find((s) => s.stage === 'rendering');
      if (after?.status === 'completed' && after.finishedAt !== before.finishedAt) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(after?.status).toBe('completed');
    expect(after?.finishedAt).not.toBe(before.finishedAt);
    await page
      .getByTestId('job-status')
      .filter({ hasText: 'completed' })
      .waitFor({ timeout: 60_000 });
    const shown = page.locator('li.stage[data-stage=rendering]');
    await expect(shown.getAttribute('data-status')).resolves.toBe('completed');
    await shot('11-job-after-rerun');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/#/`);
    await page.getByRole('button', { name: 'Upload and create clips' }).waitFor();
    await shot('12-phone-upload');
    await page.goto(`${base}/#/jobs/${jobId}`);
    await page.locator('li.clip video').first().waitFor();
    const overflow = await page.evaluate<number>(
      `document.documentElement.scrollWidth - window.innerWidth`,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('13-phone-job');
    await page.goto(`${base}/#/ops`);
    await page.locator('tr[data-queue=rendering]').waitFor();
    await shot('14-phone-ops');
  });
});
