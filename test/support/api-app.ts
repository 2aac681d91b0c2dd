import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@clipline/config';
import type { ApiKeyRole } from '@clipline/database';
import { StorageService } from '@clipline/storage';
import { DataSource } from 'typeorm';
// Tests drive the real app; this file is the one place they reach into it.

import { ApiKeysService } from '../../apps/api/src/auth/api-keys.service';
import { createApiApp } from '../../apps/api/src/bootstrap/create-api-app';
import { UploadSweeperService } from '../../apps/api/src/uploads/upload-sweeper.service';

export interface TestKey {
  id: string;
  key: string;
  role: ApiKeyRole;
}

/** The answer to POST /v1/uploads: where to PUT each part of a resumable upload. */
export interface UploadCreated {
  uploadId: string;
  jobId: string;
  partSize: number;
  partCount: number;
  parts: Array<{ partNumber: number; url: string }>;
}

export interface ApiHarness {
  app: NestExpressApplication;
  url: string;
  storage: StorageService;
  db: DataSource;
  createKey(role: ApiKeyRole, name?: string): Promise<TestKey>;
  sweepUploads(): Promise<string[]>;
  /** fetch against the app with an API key; JSON bodies are encoded. */
  call(
    method: string,
    path: string,
    opts?: { key?: TestKey | string | null; json?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * Boots the API in-process on a free port against the services the jest
 * global setup started (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, S3_*).
 * `env` overrides config for this app only, e.g. a small UPLOAD_MAX_BYTES.
 */
export async function startApi(env: Record<string, string> = {}): Promise<ApiHarness> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, { LOG_LEVEL: 'warn', ...env });
  let app: NestExpressApplication;
  try {
    app = await createApiApp(loadConfig());
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const storage = app.get(StorageService);
  await storage.ensureBucket();
  const keys = app.get(ApiKeysService);
  let n = 0;
  return {
    app,
    url,
    storage,
    db: app.get(DataSource),
    async createKey(role, name = `${role}-${++n}`) {
      const k = await keys.create(name, role);
      return { id: k.id, key: k.key, role };
    },
    sweepUploads: () => app.get(UploadSweeperService).sweepOnce(),
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const key = typeof opts.key === 'string' ? opts.key : opts.key?.key;
      if (key) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (opts.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.json);
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json') && text)
        parsed = JSON.parse(text);
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    close: () => app.close(),
  };
}

/**
 * Streams `media` to POST /v1/jobs as `key` (creators start jobs only from
 * their own uploads) and expects a 201; returns the job as the API shows it.
 */
export async function streamJob<T = { id: string; sourceKey: string }>(
  api: ApiHarness,
  key: TestKey,
  media: Buffer,
  opts: { filename?: string; options?: unknown } = {},
): Promise<T> {
  const form = new FormData();
  // Options first: the API reads them before the file streams past.
  if (opts.options !== undefined) form.append('options', JSON.stringify(opts.options));
  form.append('file', new Blob([media], { type: 'video/mp4' }), opts.filename ?? 'talk.mp4');
  const res = await fetch(`${api.url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.key}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as T;
}

/** Two creators, alice and bob, and an ops key: the tenants of the cross-tenant cases. */
export function tenantKeys(api: ApiHarness): Promise<[TestKey, TestKey, TestKey]> {
  return Promise.all([
    api.createKey('creator', 'alice'),
    api.createKey('creator', 'bob'),
    api.createKey('ops', 'ops'),
  ]);
}
