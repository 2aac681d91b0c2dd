import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import type { JobOptions } from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
import { objectKeys, safeExtension, StorageService } from '@clipline/storage';
import busboy from 'busboy';
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { drainBounded, type RequestWithResponse } from './bounded-drain';
import { JobIntakeService } from './job-intake.service';
import { parseJobOptions } from './job-options.dto';

/** busboy's messages are fixed strings; say what they mean for the client. */
function malformedMessage(err: Error): string {
  if (/Unexpected end of (form|file)/i.test(err.message)) {
    return 'The form ended before the file did: the body was cut off or shorter than its Content-Length, or the closing boundary is missing.';
  }
  return `Malformed form: ${err.message}.`;
}

/**
 * S3's smallest part and one part in flight: each streaming upload holds about
 * two parts (the one uploading, the one filling), ~10 MiB. Throughput is the
 * client's connection anyway; large files go straight to S3 via /v1/uploads.
 */
const STREAM_PART_BYTES = 5 * 1024 * 1024;
const STREAM_PARTS_IN_FLIGHT = 1;
const RETRY_AFTER_SECONDS = 5;
/** busboy's buffers per upload; the defaults are already small, this pins them. */
const FORM_HIGH_WATER_MARK = 64 * 1024;

interface Received {
  key: string;
  filename: string;
  bytes: number;
  /** Hashed as the bytes pass, so dedupe costs no second read. */
  sha256: string;
}

/**
 * multipart/form-data straight into S3: busboy's file stream is piped into a
 * multipart S3 upload with one part in flight, so memory is bounded by the
 * part size whatever the file size, and nothing touches the local disk.
 */
@Injectable()
export class StreamUploadService {
  private readonly log = new Logger(StreamUploadService.name);
  /** Streaming uploads this process is reading right now. */
  private active = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly storage: StorageService,
    private readonly intake: JobIntakeService,
  ) {}

  async receive(req: RequestWithResponse, key: AuthenticatedKey): Promise<JobEntity> {
    // Memory grows with every upload in progress (its part buffers), so their
    // number is capped; a client told to wait sends nothing meanwhile.
    if (this.active >= this.cfg.UPLOAD_MAX_CONCURRENT) {
      if (req.res && !req.res.headersSent) req.res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
      drainBounded(req);
      throw new HttpException(
        `Too many uploads in progress; retry in ${RETRY_AFTER_SECONDS} s, or use the resumable /v1/uploads API.`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.active++;
    let released = false;
    const release = () => {
      if (!released) this.active--;
      released = true;
    };
    try {
      return await this.receiveForm(req, key, release);
    } catch (err) {
      // Whatever went wrong, the rest of the body is not read without bound.
      drainBounded(req);
      throw err;
    } finally {
      release();
    }
  }

  private async receiveForm(
    req: IncomingMessage,
    key: AuthenticatedKey,
    release: () => void,
  ): Promise<JobEntity> {
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
      throw new UnsupportedMediaTypeException(
        'Send multipart/form-data with a "file" field, or JSON with "sourceKey".',
      );
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    // The form adds a few hundred bytes of headers around the file.
    if (declared > this.cfg.UPLOAD_MAX_BYTES + 64 * 1024) throw this.tooLarge();
    const jobId = randomUUID();
    // The part buffers are free once the file is in S3; probing needs none.
    const { received, rawOptions } = await this.readForm(req, jobId).finally(release);
    let options: JobOptions;
    try {
      options = parseJobOptions(rawOptions);
    } catch (err) {
      await this.storage.deleteKeys([received.key]);
      throw err;
    }
    this.log.log(`job ${jobId}: received ${received.bytes} bytes of "${received.filename}"`);
    return this.intake.intake({
      jobId,
      ownerKeyId: key.id,
      sourceKey: received.key,
      sourceFilename: received.filename,
      options,
      contentSha256: received.sha256,
      deleteOnReject: true,
    });
  }

  private tooLarge(): PayloadTooLargeException {
    return new PayloadTooLargeException(
      `The file is larger than the limit of ${this.cfg.UPLOAD_MAX_BYTES} bytes.`,
    );
  }

  private readForm(
    req: IncomingMessage,
    jobId: string,
  ): Promise<{ received: Received; rawOptions: string | undefined }> {
    return new Promise((resolve, reject) => {
      let rawOptions: string | undefined;
      let upload: Promise<Received> | null = null;
      let fileStream: Readable | null = null;
      let counter: Transform | null = null;
      let settled = false;
      let bb: busboy.Busboy;
      try {
        bb = busboy({
          headers: req.headers,
          // Browsers and curl send UTF-8 file names; busboy's default reads them as latin1.
          defParamCharset: 'utf8',
          highWaterMark: FORM_HIGH_WATER_MARK,
          fileHwm: FORM_HIGH_WATER_MARK,
          limits: {
            files: 1,
            fields: 8,
            fieldSize: 64 * 1024,
            fileSize: this.cfg.UPLOAD_MAX_BYTES,
          },
        });
      } catch (err) {
        // e.g. multipart/form-data without a boundary.
        reject(new BadRequestException(`Malformed form: ${(err as Error).message}.`));
        return;
      }
      const malformed = (err: Error) => fail(new BadRequestException(malformedMessage(err)));

      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        counter?.destroy(err);
        // Stop parsing; receive() reads a bounded rest of the body so the
        // client still gets the error response, then closes the connection.
        req.unpipe(bb);
        const cleanup = upload ?? Promise.resolve(null);
        void cleanup
          .catch(() => null)
          // The job does not exist yet, so everything under its prefix is this upload's.
          .then(() => this.storage.deletePrefix(objectKeys.jobPrefix(jobId)).catch(() => null));
        reject(err);
      };

      bb.on('field', (name, value) => {
        if (name !== 'options') return;
        rawOptions = value;
        // Options before the file: refuse bad ones before any byte is stored.
        if (!upload) {
          try {
            parseJobOptions(value);
          } catch (err) {
            fail(err as Error);
          }
        }
      });

      bb.on('file', (name, stream, info) => {
        if (name !== 'file' || upload || settled) {
          stream.resume();
          return;
        }
        fileStream = stream;
        const filename = info.filename || 'upload';
        const key = objectKeys.source(jobId, safeExtension(filename));
        let bytes = 0;
        const hash = createHash('sha256');
        counter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            hash.update(chunk);
            cb(null, chunk);
          },
        });
        stream.on('limit', () => fail(this.tooLarge()));
        // busboy errors the file stream when the form ends inside the file (no
        // closing boundary, a short Content-Length, a cut connection). Without
        // a listener that error ended the process.
        stream.on('error', malformed);
        // Its errors reach the upload promise; this only keeps destroy() quiet.
        counter.on('error', () => undefined);
        stream.pipe(counter);
        upload = this.storage
          .putStream(
            key,
            counter,
            info.mimeType || 'application/octet-stream',
            STREAM_PART_BYTES,
            STREAM_PARTS_IN_FLIGHT,
          )
          .then(() => ({ key, filename, bytes, sha256: hash.digest('hex') }));
        upload.catch((err: Error) => fail(err));
      });

      bb.on('error', malformed);
      const interrupted = () => fail(new BadRequestException('The upload was interrupted.'));
      req.on('aborted', interrupted);
      req.on('error', interrupted);

      bb.on('close', () => {
        if (settled) return;
        if (!upload || !fileStream) {
          fail(new BadRequestException('The form has no "file" field.'));
          return;
        }
        upload.then(
          (received) => {
            if (settled) return;
            settled = true;
            resolve({ received, rawOptions });
          },
          (err: Error) => fail(err),
        );
      });

      req.pipe(bb);
    });
  }
}
