import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type Part,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface StorageConfig {
  endpoint: string;
  publicEndpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  presignTtlSeconds: number;
  /** Tries of one request (SDK retry); default 3. */
  maxAttempts?: number;
}

export interface StoredPart {
  partNumber: number;
  etag: string;
  size: number;
}

/**
 * All S3 access goes through here. Two clients: one for server-side calls and
 * one whose presigned URLs use the public endpoint that clients can reach.
 */
export class StorageService {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly publicClient: S3Client;

  constructor(private readonly cfg: StorageConfig) {
    this.bucket = cfg.bucket;
    const base = {
      region: cfg.region,
      forcePathStyle: cfg.forcePathStyle,
      credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
      // The SDK retries briefly (5xx, SlowDown, resets); an outage longer than
      // that surfaces as an error the stage runner retries on its time budget.
      maxAttempts: cfg.maxAttempts ?? 3,
      retryMode: 'standard',
      // A black-holed endpoint fails in seconds instead of hanging a stage.
      requestHandler: { connectionTimeout: 5000 },
    };
    this.client = new S3Client({ ...base, endpoint: cfg.endpoint });
    this.publicClient = new S3Client({ ...base, endpoint: cfg.publicEndpoint ?? cfg.endpoint });
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
    await this.allowBrowserUploads();
  }

  /**
   * The web app PUTs parts straight to presigned URLs and must read each part's
   * ETag, which a browser hides from a cross-origin response unless exposed.
   * Servers without PutBucketCors (MinIO) manage CORS themselves.
   */
  private async allowBrowserUploads(): Promise<void> {
    try {
      await this.client.send(
        new PutBucketCorsCommand({
          Bucket: this.bucket,
          CORSConfiguration: {
            CORSRules: [
              {
                AllowedOrigins: ['*'],
                AllowedMethods: ['GET', 'PUT', 'HEAD'],
                AllowedHeaders: ['*'],
                ExposeHeaders: ['ETag'],
                MaxAgeSeconds: 3600,
              },
            ],
          },
        }),
      );
    } catch (err) {
      if (!/NotImplemented|MethodNotAllowed|AccessDenied/i.test((err as Error).name)) throw err;
    }
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** URL for workers (ffmpeg reads it with range requests). */
  presignGet(
    key: string,
    ttl = this.cfg.presignTtlSeconds,
    downloadName?: string,
  ): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: downloadName
          ? `attachment; filename="${downloadName}"`
          : undefined,
      }),
      { expiresIn: ttl },
    );
  }

  /** URL for browsers and curl. */
  presignPublicGet(key: string, downloadName?: string): Promise<string> {
    return getSignedUrl(
      this.publicClient,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: downloadName
          ? `attachment; filename="${downloadName}"`
          : undefined,
      }),
      { expiresIn: this.cfg.presignTtlSeconds },
    );
  }

  async head(key: string): Promise<{ size: number; contentType?: string } | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: Number(res.ContentLength ?? 0), contentType: res.ContentType };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (err as Error).name === 'NotFound') return null;
      throw err;
    }
  }

  async putFile(key: string, path: string, contentType: string): Promise<number> {
    // lib-storage streams large files in parts, so memory stays flat.
    await new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentType: contentType,
      },
    }).done();
    const h = await this.head(key);
    return h?.size ?? 0;
  }

  async putBuffer(key: string, body: Buffer | string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /**
   * Streams a body of unknown length. About (queueSize + 1) × partSize bytes are
   * held in memory (parts in flight plus the one being filled), per call.
   */
  async putStream(
    key: string,
    body: Readable,
    contentType: string,
    partSize = 8 * 1024 * 1024,
    queueSize = 2,
  ): Promise<void> {
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize,
      queueSize,
    }).done();
  }

  /**
   * sha256 (hex) of an object by a streamed read: S3 cannot combine the
   * checksums of a multipart upload's parts into the whole object's sha256,
   * so this is the one way to know it for parts a client PUT directly.
   * Memory stays at the stream's buffer whatever the size.
   */
  async sha256Of(key: string, signal?: AbortSignal): Promise<string> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      abortSignal: signal,
    });
    const hash = createHash('sha256');
    for await (const chunk of res.Body as Readable) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async getText(key: string): Promise<string> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return (await res.Body?.transformToString('utf8')) ?? '';
  }

  async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      if (!batch.length) continue;
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.listKeys(prefix);
    await this.deleteKeys(keys);
    return keys.length;
  }

  // ---- multipart (resumable direct-to-S3 uploads) ----

  async createMultipart(key: string, contentType: string): Promise<string> {
    const res = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!res.UploadId) throw new Error('S3 returned no UploadId');
    return res.UploadId;
  }

  presignPart(key: string, uploadId: string, partNumber: number): Promise<string> {
    return getSignedUrl(
      this.publicClient,
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
      }),
      { expiresIn: this.cfg.presignTtlSeconds },
    );
  }

  /**
   * Parts S3 holds for an upload, or null where the server has no ListParts
   * (s3rver): callers then rely on the parts clients reported.
   */
  async listParts(key: string, uploadId: string): Promise<StoredPart[] | null> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    do {
      let res;
      try {
        res = await this.client.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        );
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'MethodNotAllowed' || name === 'NotImplemented') return null;
        throw err;
      }
      for (const p of res.Parts ?? []) {
        parts.push({
          partNumber: p.PartNumber ?? 0,
          etag: p.ETag ?? '',
          size: Number(p.Size ?? 0),
        });
      }
      marker = res.IsTruncated ? res.NextPartNumberMarker : undefined;
    } while (marker);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, parts: StoredPart[]): Promise<void> {
    const list: Part[] = parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }));
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: list },
      }),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.client.send(
      new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
    );
  }
}
