import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fetchPublishedHash, hashFile, hashLikePublished, type PublishedHash } from './hub-hash';

/** A model file the product can verify offline and fetch where it has internet. */
export interface ModelFile {
  /** Path relative to MODEL_DIR, e.g. "ultraface/version-RFB-320.onnx". */
  path: string;
  sha256: string;
  bytes?: number;
  url: string;
  licence: string;
}

export class ModelMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelMissingError';
  }
}

/** The model's host could not be reached (no network, DNS, refused, timed out): nothing about the file is known. */
export class ModelNetworkError extends Error {
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(
      `network unreachable: ${host} (${code}); copy the files to MODEL_DIR (see docs/operations.md)`,
    );
    this.name = 'ModelNetworkError';
  }
}

/** The download arrived but its bytes are not the pinned (or published) ones. */
export class ModelChecksumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelChecksumError';
  }
}

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** fetch() reports a network failure as "fetch failed" with the real code in its cause. */
function networkCode(err: unknown): string | null {
  for (let e = err as { name?: string; code?: string; cause?: unknown } | undefined; e;) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
    if (e.code && NETWORK_CODES.has(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return null;
}

/** Runs a request, turning a network failure into ModelNetworkError naming the host. */
async function reach<T>(url: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    const code = networkCode(err);
    if (code) throw new ModelNetworkError(new URL(url).host, code);
    throw err;
  }
}

export function sha256File(path: string): Promise<string> {
  return hashFile(path, 'sha256');
}

/**
 * Returns the absolute path of a model after checking its checksum. A missing
 * or altered file is a startup error naming the file and the fix, never a
 * crash in the middle of a job.
 */
export async function resolveModel(modelDir: string, model: ModelFile): Promise<string> {
  const full = join(modelDir, model.path);
  if (!existsSync(full)) {
    throw new ModelMissingError(
      `Model ${model.path} not found in MODEL_DIR=${modelDir}. Run \`npm run models:pull\` on a machine with internet, or point MODEL_DIR at a folder that has it.`,
    );
  }
  const actual = await sha256File(full);
  if (actual !== model.sha256) {
    throw new ModelMissingError(
      `Model ${full} has sha256 ${actual}, expected ${model.sha256}. Delete it and run \`npm run models:pull\`.`,
    );
  }
  return full;
}

/**
 * Downloads a model into MODEL_DIR, verifying the checksum before it is moved
 * into place. A manifest entry without a pinned sha256 is checked against the
 * checksum its hub publishes instead, and refused when there is none.
 */
export async function fetchModel(
  modelDir: string,
  model: ModelFile,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const full = join(modelDir, model.path);
  const expected: PublishedHash = model.sha256
    ? { algorithm: 'sha256', hex: model.sha256 }
    : await reach(model.url, () => fetchPublishedHash(model.url, fetchImpl)).catch((err: Error) => {
        if (err instanceof ModelNetworkError) throw err;
        throw new Error(`no pinned sha256 and no checksum published by the hub: ${err.message}`);
      });
  if (existsSync(full) && (await hashLikePublished(full, expected)) === expected.hex) return full;
  mkdirSync(dirname(full), { recursive: true });
  const tmp = `${full}.download`;
  try {
    await reach(model.url, async () => {
      const res = await fetchImpl(model.url);
      if (!res.ok || !res.body) throw new Error(`GET ${model.url} answered ${res.status}`);
      await pipeline(
        Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
        createWriteStream(tmp),
      );
    });
    const actual = await hashLikePublished(tmp, expected);
    if (actual !== expected.hex)
      throw new ModelChecksumError(
        `Checksum mismatch for ${model.url}: ${expected.algorithm} ${actual}, expected ${expected.hex}`,
      );
    renameSync(tmp, full);
    return full;
  } finally {
    rmSync(tmp, { force: true });
  }
}
