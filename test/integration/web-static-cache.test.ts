import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApi, type ApiHarness } from '../support/api-app';

/**
 * index.html names the current hashed bundles: cached for an hour, an upgrade
 * showed a blank page (the old index asking for bundles that no longer exist).
 */
describe('the web app as the API serves it', () => {
  let dir: string;
  let api: ApiHarness;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clipline-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script src="/assets/index-abc123.js">');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    api = await startApi({ WEB_DIST_DIR: dir });
  });

  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html with no-cache, for / and for client-side routes', async () => {
    for (const path of ['/', '/index.html', '/jobs/123']) {
      const res = await fetch(api.url + path, { headers: { accept: 'text/html' } });
      expect([path, res.status]).toEqual([path, 200]);
      expect(await res.text()).toContain('index-abc123.js');
      expect([path, res.headers.get('cache-control')]).toEqual([path, 'no-cache']);
    }
  });

  it('keeps hashed assets long-cached', async () => {
    const res = await fetch(`${api.url}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=31536000/);
  });
});

/** `npm start` rebuilds the web app when its sources are newer than the build. */
describe('web build staleness', () => {
  const buildMjs = resolve(__dirname, '..', '..', 'scripts', 'start', 'build.mjs');
  const stale = (root: string): boolean =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { webIsStale } from ${JSON.stringify(buildMjs)};` +
            `console.log(JSON.stringify(webIsStale(${JSON.stringify(root)})));`,
        ],
        { encoding: 'utf8' },
      ).trim(),
    ) as boolean;

  it('is stale when missing, fresh after a build, stale again when a source changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'clipline-webroot-'));
    try {
      const src = join(root, 'apps', 'web', 'src', 'pages');
      mkdirSync(src, { recursive: true });
      const page = join(src, 'ops.page.tsx');
      writeFileSync(page, 'export {}');
      expect(stale(root)).toBe(true);

      const dist = join(root, 'apps', 'web', 'dist');
      mkdirSync(dist);
      writeFileSync(join(dist, 'index.html'), '<!doctype html>');
      const built = new Date(Date.now() - 60_000);
      utimesSync(page, new Date(built.getTime() - 60_000), new Date(built.getTime() - 60_000));
      utimesSync(join(dist, 'index.html'), built, built);
      expect(stale(root)).toBe(false);

      utimesSync(page, new Date(), new Date());
      expect(stale(root)).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
