import { DEFAULT_JOB_OPTIONS } from '@clipline/contracts';
import { ClipEntity, ContentSegmentEntity } from '@clipline/database';
import { FFPROBE_PATH, probeMedia, runChecked } from '@clipline/media';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { completeTalkAnalysis, scriptedTalk } from '../fixtures/scripted-talk.fixture';
import { smallMp4 } from '../support/api-fixtures';
import {
  createTestJob,
  startPipelineHarness,
  type PipelineHarness,
} from '../support/pipeline-harness';
import { Stack, createTestKey, freePort } from '../support/stack';

jest.setTimeout(30 * 60_000);

const ROOT = join(__dirname, '..', '..');
const WEB_DIST = join(ROOT, 'apps', 'web', 'dist');
const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'web-editor');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SOURCE_SEC = 24;

const cueText = (s: string) =>
  s
    .split(/\r?\n/)
    .filter((l) => l && l !== 'WEBVTT' && !l.includes('-->') && !/^\d+$/.test(l))
    .join(' ')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The clip editor in a real Chromium at phone size (390×844) against the API
 * and a render worker as separate processes: fix a word, trim, change style
 * and layout, render, download, and check the file and its captions.
 */
describe('clip editor in the browser', () => {
  let stack: Stack;
  let base: string;
  let key: string;
  let db: Client;
  let h: PipelineHarness;
  let browser: Browser;
  let page: Page;
  let jobId: string;
  let clipId: string;
  const spoken = scriptedTalk(SOURCE_SEC);

  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const rest = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const clipStatus = async () =>
    (await h.ds.getRepository(ClipEntity).findOneByOrFail({ id: clipId })).status;

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error('build the web app first: npm run web:build');
    Stack.assertBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    key = await createTestKey(db, 'editor');
    const port = await freePort();
    stack = new Stack({
      ...process.env,
      LOG_LEVEL: 'log',
      PORT: String(port),
      WEB_DIST_DIR: WEB_DIST,
      HEARTBEAT_SECONDS: '1',
      RECONCILE_INTERVAL_SECONDS: '1',
      CAPTION_ENGINE: 'off',
    });
    stack.start('api');
    await stack.waitForLine('api', /API listening/);
    stack.start('render-worker');
    await stack.waitForLine('render-worker', /ready/);
    base = `http://127.0.0.1:${port}`;

    // Stages before rendering as their workers would leave them; rendering is real.
    h = await startPipelineHarness({ queuePrefix: process.env.QUEUE_PREFIX!, paused: false });
    const mp4 = await smallMp4(SOURCE_SEC);
    jobId = randomUUID();
    const sourceKey = `jobs/${jobId}/source.mp4`;
    await h.storage.putFile(sourceKey, mp4, 'video/mp4');
    await createTestJob(h.orchestrator, {
      jobId,
      sourceKey,
      mediaInfo: await probeMedia(mp4),
      options: { ...DEFAULT_JOB_OPTIONS, aspects: ['9:16'], clipCount: 1, minClipSeconds: 5 },
    });
    const done = async (
      stage: 'transcription' | 'silence' | 'layout' | 'segmenting',
      fn: Parameters<PipelineHarness['stages']['complete']>[3],
    ) => {
      const a = (await h.stages.claim(jobId, stage, 'w', 30))!;
      return (await h.stages.complete(jobId, stage, a, fn, {})).runnable;
    };
    await completeTalkAnalysis(done, jobId, spoken);
    const seg = { start: spoken.pauses[0].end - 0.2, end: spoken.pauses[4].start + 0.3 };
    const fanout = await done('segmenting', async (m) => {
      const ins = await m.insert(ContentSegmentEntity, {
        jobId,
        rank: 1,
        ...seg,
        score: 60,
        features: {} as never,
        reason: 'a test moment',
        text: 't',
        selected: true,
        attempt: 1,
      });
      await m.insert(ClipEntity, {
        jobId,
        segmentId: ins.identifiers[0].id as string,
        aspect: '9:16',
        status: 'queued',
      });
    });
    await h.scheduler.enqueueAll(fanout);
    clipId = (fanout[0] as { clipId: string }).clipId;
    for (let t0 = Date.now(); (await clipStatus()) !== 'completed';) {
      if (Date.now() - t0 > 15 * 60_000)
        throw new Error(`first render did not finish:\n${stack.tail('render-worker')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      acceptDownloads: true,
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stopAll();
    await h?.close();
    await db?.end();
  });

  it('fixes a word, trims, restyles, renders and downloads the new version', async () => {
    await page.goto(base);
    await page.getByRole('textbox', { name: 'API key' }).fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByRole('button', { name: 'Change key' }).waitFor();
    await page.goto(`${base}/#/jobs/${jobId}/clips/${clipId}`);
    await page.getByRole('heading', { name: /Edit clip #1/ }).waitFor();
    await shot('01-editor');
    // Nothing sticks out sideways on a phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      390,
    );

    // "three la la" → "Trello": type it in the first box and clear the other two.
    const boxes = page.getByRole('list', { name: 'Clip words' }).getByRole('textbox');
    const values = await boxes.evaluateAll((els) =>
      els.map((e) => (e as unknown as { value: string }).value),
    );
    const i = values.findIndex((v, k) => v === 'three' && values[k + 1] === 'la');
    await boxes.nth(i).fill('Trello');
    await boxes.nth(i + 1).fill('');
    await boxes.nth(i + 2).fill('');
    await page.getByRole('button', { name: 'Save 3 caption fixes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved 3 caption fixes' }).waitFor();

    // Trim about 2.5 s off the end, check where it snaps, then apply.
    const before = await rest<{ start: number; end: number; version: number }>(
      `/v1/jobs/${jobId}/clips/${clipId}`,
    );
    await page.getByLabel('End (s)').fill((before.end - 2.5).toFixed(2));
    await page.getByRole('button', { name: 'Check trim' }).click();
    const preview = page.getByTestId('trim-preview');
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/Loses: /);
    await shot('02-trim-preview');
    await page.getByRole('button', { name: 'Apply trim' }).click();
    await page.getByRole('status').filter({ hasText: 'Trim saved' }).waitFor();

    // Style and layout, from the keyboard where a person would use it.
    await page.getByLabel('Template').selectOption('boxed');
    await page.getByRole('radio', { name: 'Whole frame on a blurred background' }).check();
    await page.getByRole('button', { name: 'Save look' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Look saved' }).waitFor();
    const edited = await rest<{
      version: number;
      start: number;
      end: number;
      look: unknown;
      words: Array<{ text: string }>;
    }>(`/v1/jobs/${jobId}/clips/${clipId}`);
    expect(edited.look).toMatchObject({
      captions: { template: 'boxed' },
      layout: { mode: 'fit-blur' },
    });
    // One version for the trim, one for the look (the three fixes came before `before`).
    expect(edited.version).toBe(before.version + 2);
    await shot('03-edited');

    await page.getByTestId('render').click();
    await page.getByTestId('render-state').waitFor();
    await shot('04-rendering');
    await page
      .getByTestId('clip-versions')
      .filter({ hasText: `rendered: version ${edited.version}` })
      .waitFor({ timeout: 15 * 60_000 });
    await shot('05-rendered');

    const video = await page.getByTestId('download-video').getAttribute('href');
    const srtUrl = await page.getByTestId('download-srt').getAttribute('href');
    const file = join(ARTIFACTS, 'clip.mp4');
    writeFileSync(file, Buffer.from(await (await fetch(video!)).arrayBuffer()));
    const probed = await runChecked(FFPROBE_PATH, [
      ...['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file],
    ]);
    const secs = Number(probed.stdout.toString().trim());
    expect(Math.abs(secs - (edited.end - edited.start))).toBeLessThan(0.25);
    // The captions file says exactly the edited words: the fix in, the trimmed words out.
    const srt = cueText(await (await fetch(srtUrl!)).text());
    expect(srt).toBe(edited.words.map((w) => w.text).join(' '));
    expect(srt).toContain('Trello');
  });
});
