import type { JobDetailView, JobPageView, MeView } from '@clipline/contracts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, streamJob, tenantKeys, type ApiHarness, type TestKey } from '../support/api-app';
import { insertClip, insertSegment } from '../support/factories';

/**
 * The OpenAPI document against the running app: every route the router serves
 * declares its success response with a schema and its error codes, and real
 * answers match the declared schemas (which are built from the contract types
 * in libs/contracts, so the web app, the API and the document agree).
 */
jest.setTimeout(120_000);

interface Schema {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
}
interface Response {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, { responses?: Record<string, Response> }>>;
  components: { schemas: Record<string, Schema> };
}

let api: ApiHarness;
let alice: TestKey;
let ops: TestKey;
let doc: OpenApiDoc;
let job: JobDetailView;

beforeAll(async () => {
  // Loopback http lets a webhook endpoint be registered without reaching the internet.
  api = await startApi({ WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true' });
  [alice, , ops] = await tenantKeys(api);
  job = await streamJob<JobDetailView>(api, alice, readFileSync(await smallMp4()));
  doc = (await api.call('GET', '/docs-json')).body as OpenApiDoc;
});

afterAll(async () => {
  await api?.close();
});

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the running express app answers, as [METHOD, /path]; swagger-ui's own assets aside. */
function appRoutes(): Array<[string, string]> {
  const instance = api.app.getHttpAdapter().getInstance() as {
    router?: { stack: RouterLayer[] };
    _router?: { stack: RouterLayer[] };
  };
  const out: Array<[string, string]> = [];
  for (const layer of (instance.router ?? instance._router)?.stack ?? []) {
    if (!layer.route || /^\/docs(\/|-|$)/.test(layer.route.path)) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) {
      if (on && m !== '_all') out.push([m.toUpperCase(), layer.route.path]);
    }
  }
  return out;
}

const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

function resolve(s: Schema): Schema {
  if (!s.$ref) return s;
  const name = s.$ref.replace('#/components/schemas/', '');
  const found = doc.components.schemas[name];
  if (!found) throw new Error(`${s.$ref} is not in components.schemas`);
  return found;
}

/** What is wrong with `value` against `schema` (the subset view-schemas.ts uses); [] when it fits. */
function mismatches(value: unknown, schema: Schema, at = '$'): string[] {
  const s = resolve(schema);
  if (value === null) return s.nullable ? [] : [`${at} is null but not nullable`];
  if (s.allOf) return s.allOf.flatMap((p) => mismatches(value, p, at));
  if (s.enum && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in enum`];
  switch (s.type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${at} should be a string`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at} should be a number`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at} should be an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at} should be a boolean`];
    case 'array':
      if (!Array.isArray(value)) return [`${at} should be an array`];
      return value.flatMap((v, i) => (s.items ? mismatches(v, s.items, `${at}[${i}]`) : []));
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at} should be an object`];
      const obj = value as Record<string, unknown>;
      const props = s.properties ?? {};
      const out = (s.required ?? [])
        .filter((k) => !(k in obj))
        .map((k) => `${at}.${k} is required but missing`);
      for (const [k, v] of Object.entries(obj)) {
        if (props[k]) out.push(...mismatches(v, props[k], `${at}.${k}`));
        else if (s.additionalProperties === undefined && s.properties)
          out.push(`${at}.${k} is not declared in the schema`);
      }
      return out;
    }
    default:
      return [];
  }
}

describe('OpenAPI document', () => {
  it('declares a success response with a schema and the error codes for every route', () => {
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThan(25);
    const problems: string[] = [];
    for (const [method, path] of routes) {
      const op = doc.paths[openApiPath(path)]?.[method.toLowerCase()];
      const name = `${method} ${path}`;
      if (!op) {
        problems.push(`${name}: not in the OpenAPI document`);
        continue;
      }
      const responses = Object.entries(op.responses ?? {});
      const ok = responses.filter(([code]) => /^2\d\d$/.test(code));
      if (!ok.length) problems.push(`${name}: no 2xx response declared (use @ApiView)`);
      for (const [code, r] of ok) {
        if (code === '204') continue;
        const schemas = Object.values(r.content ?? {}).map((c) => c.schema);
        if (!schemas.length || schemas.some((sc) => !sc))
          problems.push(`${name}: ${code} has no response schema (use @ApiView or @ApiTextView)`);
      }
      // Every /v1 route needs a key, so it must at least say 401 and how errors look.
      if (path.startsWith('/v1/')) {
        const unauthorized = op.responses?.['401']?.content?.['application/json']?.schema;
        if (unauthorized?.$ref !== '#/components/schemas/ErrorView')
          problems.push(`${name}: no 401 with the ErrorView schema (use @ApiView's errors)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('resolves every schema reference it uses', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(30);
    expect(refs.filter((r) => !doc.components.schemas[r.split('/').pop() ?? ''])).toEqual([]);
  });

  it('matches what the routes answer', async () => {
    const declared = (method: string, path: string, status: number) => {
      const r = doc.paths[path][method].responses?.[String(status)];
      const schema = r?.content?.['application/json']?.schema;
      if (!schema) throw new Error(`${method} ${path} declares no JSON schema for ${status}`);
      return schema;
    };
    const cases: Array<[string, string, string, TestKey | null]> = [
      ['get', '/v1/me', '/v1/me', alice],
      ['get', '/v1/jobs', '/v1/jobs', alice],
      ['get', '/v1/jobs/{id}', `/v1/jobs/${job.id}`, alice],
      ['get', '/v1/jobs/{id}/logs', `/v1/jobs/${job.id}/logs`, alice],
      ['get', '/v1/ops/queues', '/v1/ops/queues', ops],
      ['get', '/v1/ops/workers', '/v1/ops/workers', ops],
      ['get', '/v1/ops/stages/failed', '/v1/ops/stages/failed', ops],
      ['get', '/health', '/health', null],
    ];
    for (const [method, path, url, key] of cases) {
      const res = await api.call(method.toUpperCase(), url, { key });
      expect([url, res.status]).toEqual([url, 200]);
      expect([url, mismatches(res.body, declared(method, path, 200))]).toEqual([url, []]);
    }
    // An error answer has the declared error shape.
    const missing = await api.call('GET', `/v1/jobs/${randomUUID()}`, { key: alice });
    expect(missing.status).toBe(404);
    expect(mismatches(missing.body, declared('get', '/v1/jobs/{id}', 404))).toEqual([]);
    const created = await api.call('POST', '/v1/uploads', {
      key: alice,
      json: { filename: 'a.mp4', size: 1000, contentType: 'video/mp4' },
    });
    expect(created.status).toBe(201);
    expect(mismatches(created.body, declared('post', '/v1/uploads', 201))).toEqual([]);
  });
});

/** The JSON schema a route declares for a status, failing when it declares none. */
function declaredSchema(method: string, path: string, status: number): Schema {
  const schema =
    doc.paths[path]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} declares no JSON schema for ${status}`);
  return schema;
}

async function expectDeclared(
  method: string,
  path: string,
  url: string,
  status: number,
  json?: unknown,
): Promise<Record<string, unknown>> {
  const res = await api.call(method.toUpperCase(), url, { key: alice, json });
  expect([url, res.status]).toEqual([url, status]);
  expect([url, mismatches(res.body, declaredSchema(method, path, status))]).toEqual([url, []]);
  return res.body as Record<string, unknown>;
}

describe('the clip editor, webhook and export routes', () => {
  it('answer the views they declare, field for field', async () => {
    // A job of its own, so its clip leaves the other tests' clip counts alone.
    const job = await streamJob<JobDetailView>(api, alice, readFileSync(await smallMp4()));
    const segmentId = await insertSegment(api.db.manager, job.id, {
      rank: 2,
      start: 0.5,
      end: 3.5,
      score: 70,
      reason: 'test',
      text: 'some words',
    });
    const clipId = await insertClip(api.db.manager, { jobId: job.id, segmentId });
    const clipPath = '/v1/jobs/{id}/clips/{clipId}';
    const clipUrl = `/v1/jobs/${job.id}/clips/${clipId}`;

    const detail = await expectDeclared('get', clipPath, clipUrl, 200);
    expect(detail.segmentId).toBe(segmentId);
    const edited = await expectDeclared('patch', clipPath, clipUrl, 200, {
      look: { captions: { template: 'boxed' } },
      version: detail.version,
    });
    expect(edited.trim).toBeNull();
    await expectDeclared('patch', '/v1/jobs/{id}/look', `/v1/jobs/${job.id}/look`, 200, {
      look: null,
    });
    await expectDeclared(
      'delete',
      '/v1/jobs/{id}/corrections/{correctionId}',
      `/v1/jobs/${job.id}/corrections/${randomUUID()}`,
      404,
    );
    // A queued clip has nothing to export yet: the declared error shape.
    await expectDeclared(
      'get',
      '/v1/jobs/{id}/clips/{clipId}/export',
      `${clipUrl}/export?format=fcpxml`,
      409,
    );

    const created = await expectDeclared('post', '/v1/webhooks', '/v1/webhooks', 201, {
      url: 'http://127.0.0.1:9/hook',
      events: ['clip.ready'],
    });
    expect(typeof created.secret).toBe('string');
    const list = await expectDeclared('get', '/v1/webhooks', '/v1/webhooks', 200);
    expect(JSON.stringify(list)).not.toContain(created.secret as string);
    await expectDeclared('get', '/v1/webhooks/{id}', `/v1/webhooks/${String(created.id)}`, 200);
    await expectDeclared(
      'get',
      '/v1/webhooks/{id}/deliveries',
      `/v1/webhooks/${String(created.id)}/deliveries`,
      200,
    );
    const gone = await api.call('DELETE', `/v1/webhooks/${String(created.id)}`, { key: alice });
    expect(gone.status).toBe(204);
  });

  it('declare the file answers with their media types', () => {
    const content = (method: string, path: string) =>
      Object.keys(doc.paths[path]?.[method]?.responses?.['200']?.content ?? {});
    expect(content('post', '/v1/jobs/{id}/clips/{clipId}/preview')).toEqual(['image/jpeg']);
    expect(content('get', '/v1/jobs/{id}/export')).toEqual(
      expect.arrayContaining(['application/json', 'application/xml', 'text/plain']),
    );
    expect(content('get', '/v1/jobs/{id}/clips/{clipId}/export')).toContain('application/x-subrip');
  });
});

describe('GET /v1/me', () => {
  it('tells the client its role, so it need not probe an ops route', async () => {
    const me = await api.call('GET', '/v1/me', { key: alice });
    expect(me.body).toEqual<MeView>({ id: alice.id, name: 'alice', role: 'creator' });
    expect(((await api.call('GET', '/v1/me', { key: ops })).body as MeView).role).toBe('ops');
    expect((await api.call('GET', '/v1/me')).status).toBe(401);
  });
});

describe('jobs list', () => {
  it('carries each job clip counts, the same as the job detail', async () => {
    const segmentId = await insertSegment(api.db.manager, job.id, {
      score: 80,
      reason: 'test',
      text: 'words',
    });
    for (const [aspect, status] of [
      ['9:16', 'completed'],
      ['1:1', 'failed'],
      ['16:9', 'queued'],
    ] as const)
      await insertClip(api.db.manager, { jobId: job.id, segmentId, aspect, status });
    const page = (await api.call('GET', '/v1/jobs', { key: alice })).body as JobPageView;
    const item = page.items.find((j) => j.id === job.id);
    const detail = (await api.call('GET', `/v1/jobs/${job.id}`, { key: alice }))
      .body as JobDetailView;
    expect(item?.clips).toEqual({
      total: 3,
      queued: 1,
      rendering: 0,
      completed: 1,
      failed: 1,
      cancelled: 0,
    });
    expect(item?.clips).toEqual(detail.clips);
  });
});
