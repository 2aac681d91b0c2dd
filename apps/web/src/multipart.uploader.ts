import { api, ApiError } from './api.client';
import type { JobDetail, JobOptions, UploadCreated, UploadStatus } from './api.types';

/** What lets a reload find its unfinished upload again: the same file picked twice. */
interface SavedUpload {
  uploadId: string;
  jobId: string;
  name: string;
  size: number;
  lastModified: number;
  savedAt: number;
}

export interface UploadProgress {
  phase: 'starting' | 'uploading' | 'waiting-network' | 'completing' | 'done';
  uploadedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  partsDone: number;
  partCount: number;
  /** Bytes found already stored when resuming. */
  resumedBytes: number;
  note: string | null;
}

const STORE = 'clipline.uploads';
const MAX_ATTEMPTS = 6;
const SPEED_WINDOW_MS = 5000;
const PRESIGN_BATCH = 100;

const fingerprint = (f: File) => `${f.name}|${f.size}|${f.lastModified}`;

function loadAll(): Record<string, SavedUpload> {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? '{}') as Record<string, SavedUpload>;
  } catch {
    return {};
  }
}

function save(fp: string, entry: SavedUpload | null): void {
  const all = loadAll();
  if (entry) all[fp] = entry;
  else delete all[fp];
  localStorage.setItem(STORE, JSON.stringify(all));
}

/** Unfinished uploads from earlier visits, newest first, so the page can offer to resume them. */
export function pendingUploads(): SavedUpload[] {
  return Object.values(loadAll()).sort((a, b) => b.savedAt - a.savedAt);
}

export function forgetUpload(u: SavedUpload): void {
  save(`${u.name}|${u.size}|${u.lastModified}`, null);
}

class PartRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitOnline(): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) =>
    window.addEventListener('online', () => resolve(), { once: true }),
  );
}

/**
 * Sends a file to S3 through the API's resumable multipart upload: several
 * parts in flight, each reported with its ETag, so a reload or a network cut
 * loses at most the parts that were in flight.
 */
export class MultipartUploader {
  private readonly inFlight = new Map<number, { xhr: XMLHttpRequest; loaded: number }>();
  private readonly samples: Array<{ t: number; bytes: number }> = [];
  private readonly urls = new Map<number, string>();
  private doneBytes = 0;
  private partsDone = 0;
  private cancelled = false;
  private progress: UploadProgress;

  constructor(
    private readonly file: File,
    private readonly options: JobOptions,
    private readonly onProgress: (p: UploadProgress) => void,
    private readonly concurrency = 4,
  ) {
    this.progress = {
      phase: 'starting',
      uploadedBytes: 0,
      totalBytes: file.size,
      bytesPerSecond: 0,
      partsDone: 0,
      partCount: 0,
      resumedBytes: 0,
      note: null,
    };
  }

  cancel(): void {
    this.cancelled = true;
    for (const { xhr } of this.inFlight.values()) xhr.abort();
  }

  async run(): Promise<JobDetail> {
    const fp = fingerprint(this.file);
    const upload = await this.openOrResume(fp);
    if ('stages' in upload) return upload;
    const stored = new Set(upload.parts.map((p) => p.partNumber));
    this.doneBytes = upload.parts.reduce((n, p) => n + p.size, 0);
    this.partsDone = stored.size;
    this.emit({
      phase: 'uploading',
      partCount: upload.partCount,
      resumedBytes: this.doneBytes,
    });
    const todo = Array.from({ length: upload.partCount }, (_, i) => i + 1).filter(
      (n) => !stored.has(n),
    );
    const queue = [...todo];
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        await this.sendPart(upload, n);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, todo.length) }, worker));
    this.checkCancelled();
    this.emit({ phase: 'completing', note: 'Checking the file…' });
    try {
      const job = await api<JobDetail>('POST', `/v1/uploads/${upload.uploadId}/complete`);
      save(fp, null);
      this.emit({ phase: 'done', note: null });
      return job;
    } catch (err) {
      // A file the API refused is gone from S3; resuming it would only fail again.
      if (err instanceof ApiError && (err.status === 422 || err.status === 413)) save(fp, null);
      throw err;
    }
  }

  private async openOrResume(fp: string): Promise<UploadStatus | JobDetail> {
    const saved = loadAll()[fp];
    if (saved) {
      try {
        const status = await api<UploadStatus>('GET', `/v1/uploads/${saved.uploadId}`);
        if (status.status === 'open') {
          this.emit({
            note: `Resuming: ${status.parts.length} of ${status.partCount} parts were already stored.`,
          });
          return status;
        }
        save(fp, null);
        if (status.status === 'completed') {
          return api<JobDetail>('GET', `/v1/jobs/${status.jobId}`);
        }
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
        save(fp, null);
      }
    }
    const created = await api<UploadCreated>('POST', '/v1/uploads', {
      filename: this.file.name,
      size: this.file.size,
      contentType: /^[\w.+-]+\/[\w.+-]+$/.test(this.file.type)
        ? this.file.type
        : 'application/octet-stream',
      options: this.options,
    });
    save(fp, {
      uploadId: created.uploadId,
      jobId: created.jobId,
      name: this.file.name,
      size: this.file.size,
      lastModified: this.file.lastModified,
      savedAt: Date.now(),
    });
    for (const p of created.parts) this.urls.set(p.partNumber, p.url);
    return {
      uploadId: created.uploadId,
      jobId: created.jobId,
      status: 'open',
      filename: this.file.name,
      size: this.file.size,
      partSize: created.partSize,
      partCount: created.partCount,
      parts: [],
      uploadedBytes: 0,
    };
  }

  private async sendPart(upload: UploadStatus, n: number): Promise<void> {
    const start = (n - 1) * upload.partSize;
    const blob = this.file.slice(start, Math.min(this.file.size, start + upload.partSize));
    for (let attempt = 1; ; attempt++) {
      this.checkCancelled();
      try {
        const url = await this.urlFor(upload, n);
        const etag = await this.put(n, url, blob);
        await api('PUT', `/v1/uploads/${upload.uploadId}/parts/${n}`, { etag, size: blob.size });
        this.doneBytes += blob.size;
        this.partsDone++;
        this.emit({ phase: 'uploading', note: null });
        return;
      } catch (err) {
        this.inFlight.delete(n);
        this.checkCancelled();
        // The API's own refusals (bad key, upload closed) do not get better with retries.
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) throw err;
        if (attempt >= MAX_ATTEMPTS) throw err;
        // An expired or refused URL is presigned again.
        if (err instanceof PartRefused) this.urls.delete(n);
        if (!navigator.onLine) {
          this.emit({
            phase: 'waiting-network',
            note: 'The connection dropped; waiting for it to return…',
          });
          await waitOnline();
        } else {
          const wait = Math.min(15_000, 1000 * 2 ** (attempt - 1));
          this.emit({
            note: `Part ${n} failed (${(err as Error).message}); retrying in ${Math.round(wait / 1000)} s.`,
          });
          await sleep(wait);
        }
        this.emit({ phase: 'uploading' });
      }
    }
  }

  private async urlFor(upload: UploadStatus, n: number): Promise<string> {
    const have = this.urls.get(n);
    if (have) return have;
    const batch = Array.from({ length: PRESIGN_BATCH }, (_, i) => n + i).filter(
      (p) => p <= upload.partCount,
    );
    const res = await api<UploadCreated>('POST', `/v1/uploads/${upload.uploadId}/parts`, {
      partNumbers: batch,
    });
    for (const p of res.parts) this.urls.set(p.partNumber, p.url);
    const url = this.urls.get(n);
    if (!url) throw new Error(`no URL for part ${n}`);
    return url;
  }

  /** XHR rather than fetch: fetch cannot report upload progress. */
  private put(n: number, url: string, blob: Blob): Promise<string> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const slot = { xhr, loaded: 0 };
      this.inFlight.set(n, slot);
      xhr.open('PUT', url);
      xhr.upload.onprogress = (e) => {
        slot.loaded = e.loaded;
        this.emit({});
      };
      xhr.onload = () => {
        this.inFlight.delete(n);
        if (xhr.status < 200 || xhr.status >= 300) {
          reject(new PartRefused(xhr.status, `storage answered ${xhr.status}`));
          return;
        }
        const etag = xhr.getResponseHeader('ETag');
        if (!etag) {
          reject(
            new ApiError(
              400,
              'The storage server hides the ETag header from the browser (CORS), so parts cannot be confirmed. The bucket must expose ETag.',
            ),
          );
          return;
        }
        resolve(etag);
      };
      xhr.onerror = () => reject(new Error('network error'));
      xhr.onabort = () => reject(new Error('aborted'));
      xhr.send(blob);
    });
  }

  private checkCancelled(): void {
    if (this.cancelled) throw new Error('The upload was cancelled.');
  }

  private emit(patch: Partial<UploadProgress>): void {
    const now = Date.now();
    let live = this.doneBytes;
    for (const s of this.inFlight.values()) live += s.loaded;
    this.samples.push({ t: now, bytes: live });
    while (this.samples.length > 2 && now - this.samples[0].t > SPEED_WINDOW_MS)
      this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.t) / 1000;
    const speed = dt > 0.2 ? Math.max(0, (live - first.bytes) / dt) : this.progress.bytesPerSecond;
    this.progress = {
      ...this.progress,
      ...patch,
      uploadedBytes: Math.min(live, this.file.size),
      bytesPerSecond: speed,
      partsDone: this.partsDone,
    };
    this.onProgress(this.progress);
  }
}
