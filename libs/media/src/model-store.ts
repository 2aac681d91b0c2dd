import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
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

/** Downloads a model into MODEL_DIR, verifying the checksum before it is moved into place. */
export async function fetchModel(
  modelDir: string,
  model: ModelFile,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const full = join(modelDir, model.path);
  if (existsSync(full) && (await sha256File(full)) === model.sha256) return full;
  mkdirSync(dirname(full), { recursive: true });
  const tmp = `${full}.download`;
  const res = await fetchImpl(model.url);
  if (!res.ok || !res.body) throw new Error(`GET ${model.url} answered ${res.status}`);
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    createWriteStream(tmp),
  );
  const actual = await sha256File(tmp);
  if (actual !== model.sha256) {
    rmSync(tmp, { force: true });
    throw new Error(`Checksum mismatch for ${model.url}: got ${actual}, expected ${model.sha256}`);
  }
  renameSync(tmp, full);
  return full;
}
