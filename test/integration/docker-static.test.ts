import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// js-yaml comes with the API's dependencies (@nestjs/swagger); no Docker engine runs here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  restart?: string;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const OWN_IMAGE = 'clipline:latest';
const APP_SERVICES = [
  'api',
  'transcription-worker',
  'silence-worker',
  'layout-worker',
  'segmenting-worker',
  'render-worker',
];

/** YAML merge keys (`<<: *app`) as compose applies them: explicit keys win. */
function merged(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(merged);
  if (!node || typeof node !== 'object') return node;
  const { '<<': base, ...own } = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const b of base === undefined ? [] : Array.isArray(base) ? base : [base])
    Object.assign(out, merged(b));
  for (const [k, v] of Object.entries(own)) out[k] = merged(v);
  return out;
}

/** The Dockerfile split into stages: name, base image and instructions. */
function stages(dockerfile: string) {
  const args = Object.fromEntries(
    [...dockerfile.matchAll(/^ARG (\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]),
  );
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const out: Array<{ base: string; name: string | null; body: string[] }> = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      const base = from[1].replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? '');
      out.push({ base, name: from[2] ?? null, body: [] });
    } else if (out.length && line.trim() && !line.trim().startsWith('#')) {
      out[out.length - 1].body.push(line.trim());
    }
  }
  return out;
}

/**
 * Config keys the apps read: the properties of the env schema class, and the
 * few read straight from process.env (DB_POOL_MAX, documented as such).
 */
function schemaKeys(): Set<string> {
  const src = read('libs/config/src/env.schema.ts');
  const keys = new Set([...src.matchAll(/^\s{2}([A-Z][A-Z0-9_]+)[?!]?\s*[:=]/gm)].map((m) => m[1]));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(dir, e.name))
        : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
          ? [join(dir, e.name)]
          : [],
    );
  for (const top of ['apps', 'libs'])
    for (const file of walk(join(ROOT, top)).filter((f) => f.includes('/src/')))
      for (const m of readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g))
        keys.add(m[1]);
  return keys;
}

/**
 * docker/compose.yml and docker/Dockerfile checked without a Docker engine:
 * the services and their order, that each command exists in the image, that
 * every variable is one the config knows, volumes, healthchecks, pinned
 * images and no default secrets.
 */
describe('docker: compose file and Dockerfile', () => {
  const compose = merged(yaml.load(read('docker/compose.yml'))) as Compose;
  const dockerfile = read('docker/Dockerfile');
  const services = compose.services;
  const built = stages(dockerfile);
  const runtime = built[built.length - 1];
  const runtimeText = runtime.body.join('\n');

  it('runs the stores, the one-shot setup and models, the API and the five workers', () => {
    for (const name of [...APP_SERVICES, 'postgres', 'redis', 'migrate', 'models'])
      expect(Object.keys(services)).toContain(name);
    const s3 = Object.entries(services).find(([, s]) =>
      Object.values(s.environment ?? {}).some((v) => String(v).includes('S3_SECRET_ACCESS_KEY')),
    );
    expect(s3).toBeDefined();
  });

  it('pins every third-party image to a published version (no :latest, no MinIO)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image || s.image === OWN_IMAGE) continue;
      const [, tag] = s.image.split(':');
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/\d/) });
      expect(s.image).not.toMatch(/:latest$|^minio\//);
    }
  });

  it('runs in every app service a command that exists in the image', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image !== OWN_IMAGE) continue;
      expect({ name, cmd: s.command?.[0] }).toEqual({ name, cmd: 'node' });
      const script = s.command![1];
      const dist = /^dist\/(.+)\.js$/.exec(script);
      if (dist) {
        // Built from its TypeScript source, and the runtime stage copies dist.
        expect({ name, source: existsSync(join(ROOT, `${dist[1]}.ts`)) }).toEqual({
          name,
          source: true,
        });
        expect(runtimeText).toMatch(/COPY --from=\S+ \/app\/dist \.\/dist/);
      } else {
        expect({ name, script: existsSync(join(ROOT, script)) }).toEqual({ name, script: true });
        // The runtime stage copies that script.
        expect(runtimeText).toContain(`/app/${script}`);
        // What it loads from the build exists in the sources.
        for (const m of read(script).matchAll(/dist\('([^']+)'\)/g)) {
          const src = join(ROOT, m[1]);
          expect({
            script,
            lib: existsSync(`${src}.ts`) || existsSync(join(src, 'index.ts')),
          }).toEqual({
            script,
            lib: true,
          });
        }
      }
    }
  });

  it('passes only variables the config schema knows', () => {
    const known = schemaKeys();
    known.add('NODE_ENV');
    for (const [name, s] of Object.entries(services)) {
      if (s.image !== OWN_IMAGE) continue;
      for (const key of Object.keys(s.environment ?? {}))
        expect({ name, key, known: known.has(key) }).toEqual({ name, key, known: true });
    }
    const imageEnv = runtimeText.match(/ENV ([^\n]+)/g)?.join(' ') ?? '';
    for (const m of imageEnv.matchAll(/([A-Z][A-Z0-9_]+)=/g))
      if (m[1] !== 'SCARF_ANALYTICS')
        expect({ key: m[1], known: known.has(m[1]) }).toEqual({ key: m[1], known: true });
  });

  it('serves the web app the image builds', () => {
    expect(services.api.environment?.WEB_DIST_DIR).toBe('/app/apps/web/dist');
    expect(runtimeText).toMatch(/COPY --from=\S+ \/app\/apps\/web\/dist \.\/apps\/web\/dist/);
  });

  it('declares every named volume and fills the models volume before the workers start', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of Object.entries(services))
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0];
        if (!src.startsWith('.') && !src.startsWith('/'))
          expect({ name, volume: src, declared: declared.includes(src) }).toEqual({
            name,
            volume: src,
            declared: true,
          });
      }
    expect(services.models.volumes).toContain('models:/models');
    expect(services.models.restart).toBe('no');
    for (const name of APP_SERVICES) {
      expect(services[name].volumes).toContain('models:/models');
      expect(services[name].depends_on?.models?.condition).toBe('service_completed_successfully');
    }
  });

  it('waits only on healthchecks that exist and one-shots that end', () => {
    for (const [name, s] of Object.entries(services))
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy')
          expect({ name, dep, healthcheck: !!services[dep].healthcheck }).toEqual({
            name,
            dep,
            healthcheck: true,
          });
        if (condition === 'service_completed_successfully')
          expect({ dep, restart: services[dep].restart }).toEqual({ dep, restart: 'no' });
      }
  });

  it('publishes no default credentials', () => {
    const text = read('docker/compose.yml');
    // ${VAR:-value} with a value, on any secret-looking setting.
    const secretDefaults = [
      ...text.matchAll(/^\s*([A-Z_]*(?:PASSWORD|SECRET|ACCESS_KEY)[A-Z_]*):\s*(.+)$/gm),
    ]
      .filter(([, , value]) => /:-[^}]/.test(value) || !value.includes('${'))
      .map(([, key, value]) => `${key}: ${value}`);
    expect(secretDefaults).toEqual([]);
    expect(text).not.toMatch(/postgres:\/\/[^@\s]*:[^$@\s][^@\s]*@/);
    // The stores with passwords are reachable only inside the network.
    expect(services.postgres.ports).toBeUndefined();
    expect(services.redis.ports).toBeUndefined();
  });

  it('builds in stages and ships production dependencies only', () => {
    expect(built.length).toBeGreaterThanOrEqual(2);
    const build = built
      .slice(0, -1)
      .map((s) => s.body.join('\n'))
      .join('\n');
    // .npmrc before the install: onnxruntime-node must not fetch GPU binaries.
    const npmrc = build.search(/COPY [^\n]*\.npmrc/);
    const install = build.search(/RUN npm (install|ci)/);
    expect(npmrc).toBeGreaterThanOrEqual(0);
    expect(npmrc).toBeLessThan(install);
    expect(build).toMatch(/npm prune --omit=dev|npm (ci|install)[^\n]*--omit=dev/);
    expect(runtimeText).not.toMatch(/RUN npm (install|ci)(?![^\n]*--omit=dev)/);
    expect(runtimeText).toMatch(/COPY --from=\S+ \/app\/node_modules \.\/node_modules/);
    expect(runtimeText).toMatch(/COPY --from=\S+ \/app\/\.npmrc|COPY [^\n]*\.npmrc/);
    // One ffmpeg/ffprobe release from Debian.
    expect(runtimeText).toMatch(/apt-get install[^\n]*\bffmpeg\b/);
    expect(runtimeText).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini"/);
  });

  it('uses the Node line of .nvmrc, which package.json engines accept', () => {
    const nvm = read('.nvmrc').trim();
    for (const s of built) expect(s.base).toMatch(new RegExp(`^node:${nvm}(\\.|-|$)`));
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines
      .node;
    const floor = /(\d+)/.exec(engines)?.[1];
    expect(Number(nvm)).toBeGreaterThanOrEqual(Number(floor));
    expect(Number(floor)).toBeGreaterThanOrEqual(22);
  });

  it('keeps what the build needs out of the ignore list', () => {
    const ignore = read('docker/Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const needed of ['.npmrc', 'docker', 'apps', 'libs', 'migrations', 'scripts'])
      expect(ignore).not.toContain(needed);
  });
});
