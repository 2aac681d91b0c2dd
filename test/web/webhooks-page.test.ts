import { createHmac, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApi, type ApiHarness, type TestKey } from '../support/api-app';
import { audioMediaInfo, createTestJob } from '../support/factories';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness';
import {
  eventually,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver';

jest.setTimeout(3 * 60_000);

const WEB_DIST = join(__dirname, '..', '..', 'apps', 'web', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The webhooks page in a real Chromium against the API serving the built app:
 * the secret shown once is the one that signs, the delivery log shows what
 * the receiver got, redeliver sends the same event again, delete removes it.
 */
describe('webhooks page', () => {
  let api: ApiHarness;
  let h: PipelineHarness;
  let rx: WebhookReceiver;
  let key: TestKey;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error('build the web app first: npm run web:build');
    api = await startApi({
      WEB_DIST_DIR: WEB_DIST,
      WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true',
      WEBHOOK_DISPATCH_INTERVAL_MS: '100',
    });
    h = await startPipelineHarness({ queuePrefix: `whp-${randomUUID().slice(0, 8)}` });
    rx = await startWebhookReceiver();
    key = await api.createKey('creator', 'web-webhooks');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('dialog', (d) => void d.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await rx?.close();
    await h?.close();
    await api?.close();
  });

  it('creates an endpoint, shows its secret once, lists deliveries, redelivers and deletes', async () => {
    await page.goto(api.url);
    await page.getByRole('textbox', { name: 'API key' }).fill(key.key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();

    // A refused URL is explained, not stored.
    await page.getByRole('textbox', { name: 'URL (https://)' }).fill('https://169.254.169.254/x');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('alert').filter({ hasText: 'link-local' }).waitFor();

    await page.getByRole('textbox', { name: 'URL (https://)' }).fill(rx.url);
    await page.getByRole('checkbox', { name: 'job.created' }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('cell', { name: rx.url }).waitFor();

    await createTestJob(h.orchestrator, {
      ownerKeyId: key.id,
      mediaInfo: audioMediaInfo({ durationSec: 60 }),
    });
    await eventually(
      () => rx.accepted().length === 1,
      () => `received ${rx.received.length}`,
    );
    const got = rx.accepted()[0];
    const ts = String(got.headers['clipline-webhook-timestamp']);
    // The secret the page showed is the one that signed.
    expect(got.headers['clipline-webhook-signature']).toBe(
      'v1=' + createHmac('sha256', secret).update(`${ts}.${got.body}`).digest('hex'),
    );

    // Shown once: a fresh visit has no secret anywhere.
    await page.reload();
    await page.getByRole('cell', { name: rx.url }).waitFor();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: 'Deliveries' }).click();
    const row = page.getByRole('row').filter({ hasText: 'job.created' });
    await row.filter({ hasText: 'delivered' }).waitFor();
    await row.getByRole('button', { name: 'Redeliver' }).click();
    await eventually(
      () => rx.accepted().length === 2,
      () => 'not redelivered',
    );
    expect(rx.accepted()[1].json.id).toBe(got.json.id);

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No endpoints yet.').waitFor();
    const list = await api.call('GET', '/v1/webhooks', { key });
    expect(list.body).toEqual({ items: [] });
  });
});
