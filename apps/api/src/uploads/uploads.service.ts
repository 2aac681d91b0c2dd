import type {
  JobDetailView,
  PartReportedView,
  UploadCreatedView,
  UploadPartsView,
  UploadStatusView,
} from '@clipline/contracts';
import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { UploadEntity } from '@clipline/database';
import { objectKeys, safeExtension, StorageService, type StoredPart } from '@clipline/storage';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { canSeeOwner, isUuid } from '../jobs/job-access.service';
import { JobIntakeService } from '../jobs/job-intake.service';
import { parseJobOptions, resolveJobOptions } from '../jobs/job-options.dto';
import { JobsService } from '../jobs/jobs.service';
import { MAX_PARTS, type CreateUploadDto, type ReportPartDto } from './upload.dto';

const MIB = 1024 * 1024;
/** Part URLs in the create response; the rest are presigned on demand. */
export const FIRST_PRESIGNED_PARTS = 100;

/** S3 allows 10,000 parts, so a large file gets parts larger than the configured size. */
export function planParts(size: number, configuredMb: number) {
  const minForCount = Math.ceil(size / MAX_PARTS / MIB) * MIB;
  const partSize = Math.max(configuredMb * MIB, minForCount);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

@Injectable()
export class UploadsService {
  private readonly log = new Logger(UploadsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @InjectRepository(UploadEntity) private readonly uploads: Repository<UploadEntity>,
    private readonly storage: StorageService,
    private readonly intake: JobIntakeService,
    private readonly jobs: JobsService,
    private readonly db: DataSource,
  ) {}

  async create(dto: CreateUploadDto, key: AuthenticatedKey): Promise<UploadCreatedView> {
    if (dto.size > this.cfg.UPLOAD_MAX_BYTES) {
      throw new UnprocessableEntityException(
        `The file is ${dto.size} bytes; the limit is ${this.cfg.UPLOAD_MAX_BYTES} bytes.`,
      );
    }
    const options = resolveJobOptions(dto.options);
    const { partSize, partCount } = planParts(dto.size, this.cfg.UPLOAD_PART_SIZE_MB);
    const jobId = randomUUID();
    const objectKey = objectKeys.source(jobId, safeExtension(dto.filename));
    const s3UploadId = await this.storage.createMultipart(objectKey, dto.contentType);
    const row = await this.uploads.save(
      this.uploads.create({
        ownerKeyId: key.id,
        jobId,
        s3UploadId,
        objectKey,
        filename: dto.filename,
        contentType: dto.contentType,
        sizeBytes: String(dto.size),
        partSize,
        status: 'open',
        options,
      }),
    );
    const first = Array.from(
      { length: Math.min(partCount, FIRST_PRESIGNED_PARTS) },
      (_, i) => i + 1,
    );
    return {
      uploadId: row.id,
      jobId,
      partSize,
      partCount,
      expiresInSeconds: this.cfg.PRESIGN_TTL_SECONDS,
      parts: await this.presign(row, first),
    };
  }

  async presignParts(
    id: string,
    partNumbers: number[],
    key: AuthenticatedKey,
  ): Promise<UploadPartsView> {
    const row = await this.open(id, key);
    const { partCount } = planParts(Number(row.sizeBytes), this.cfg.UPLOAD_PART_SIZE_MB);
    const beyond = partNumbers.filter((n) => n > partCount);
    if (beyond.length) {
      throw new BadRequestException(`This upload has ${partCount} parts; no part ${beyond[0]}.`);
    }
    await this.touch(row);
    return { uploadId: row.id, parts: await this.presign(row, [...new Set(partNumbers)]) };
  }

  /** What S3 already holds, so a client resumes with the missing parts only. */
  async status(id: string, key: AuthenticatedKey): Promise<UploadStatusView> {
    const row = await this.get(id, key);
    const { partCount } = planParts(Number(row.sizeBytes), this.cfg.UPLOAD_PART_SIZE_MB);
    const parts = row.status === 'open' ? await this.storedParts(row) : [];
    if (row.status === 'open') await this.touch(row);
    return {
      uploadId: row.id,
      jobId: row.jobId,
      status: row.status,
      filename: row.filename,
      size: Number(row.sizeBytes),
      partSize: row.partSize,
      partCount,
      parts: parts.map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.etag })),
      uploadedBytes: parts.reduce((n, p) => n + p.size, 0),
    };
  }

  async complete(id: string, key: AuthenticatedKey): Promise<JobDetailView> {
    const row = await this.open(id, key);
    const parts = await this.storedParts(row);
    const { partCount } = planParts(Number(row.sizeBytes), this.cfg.UPLOAD_PART_SIZE_MB);
    const have = new Set(parts.map((p) => p.partNumber));
    const missing = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !have.has(n));
    if (missing.length) {
      const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? ', ...' : '');
      throw new ConflictException(`Parts not uploaded yet: ${shown}.`);
    }
    const stored = parts.reduce((n, p) => n + p.size, 0);
    const sizeProblem = this.sizeProblem(row, stored);
    if (sizeProblem) {
      await this.abortRow(row, 'failed');
      throw new UnprocessableEntityException(sizeProblem);
    }
    try {
      await this.storage.completeMultipart(row.objectKey, row.s3UploadId, parts);
    } catch (err) {
      // S3's own message can name endpoints and server paths; it is logged, not sent.
      this.log.warn(
        `upload ${row.id}: S3 refused to assemble the parts: ${(err as Error).message}`,
      );
      throw new UnprocessableEntityException(
        'S3 refused to assemble the parts; check that every part was uploaded and reported with the ETag S3 returned.',
      );
    }
    // Reported part sizes are the client's word where S3 has no ListParts;
    // the assembled object is the truth.
    const head = await this.storage.head(row.objectKey);
    const assembledProblem = this.sizeProblem(row, head?.size ?? 0);
    if (assembledProblem) {
      await this.storage.deleteKeys([row.objectKey]);
      await this.uploads.update({ id: row.id }, { status: 'failed' });
      throw new UnprocessableEntityException(assembledProblem);
    }
    // The parts went straight to S3, so the whole object's sha256 is known only by
    // reading it back; before the job exists, so reuse is decided at its creation.
    // A failed read is left to intake, which tries once more and answers 503.
    const contentSha256 = await this.storage.sha256Of(row.objectKey).catch((err: Error) => {
      this.log.warn(`upload ${row.id}: hashing the assembled object failed: ${err.message}`);
      return null;
    });
    // From here the S3 upload is gone: whatever the probe says, this row is done.
    await this.uploads.update({ id: row.id }, { status: 'completed', contentSha256 });
    const job = await this.intake.intake({
      jobId: row.jobId,
      ownerKeyId: row.ownerKeyId,
      sourceKey: row.objectKey,
      sourceFilename: row.filename,
      options: parseJobOptions(row.options ?? {}),
      contentSha256,
      deleteOnReject: true,
    });
    return this.jobs.detailOf(job);
  }

  /**
   * A client reports each part after its presigned PUT, with the ETag S3 sent
   * back. Where S3 has ListParts that list wins; the reports cover servers
   * without it. One atomic jsonb merge, since parts finish in parallel.
   */
  async reportPart(
    id: string,
    partNumber: number,
    dto: ReportPartDto,
    key: AuthenticatedKey,
  ): Promise<PartReportedView> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
      throw new BadRequestException(`Part numbers run from 1 to ${MAX_PARTS}.`);
    }
    const row = await this.open(id, key);
    const { partCount } = planParts(Number(row.sizeBytes), this.cfg.UPLOAD_PART_SIZE_MB);
    if (partNumber > partCount) {
      throw new BadRequestException(`This upload has ${partCount} parts; no part ${partNumber}.`);
    }
    const entry = { [String(partNumber)]: { etag: dto.etag, size: dto.size } };
    await this.db.query(
      `UPDATE uploads SET parts = parts || $2::jsonb, updated_at = now() WHERE id = $1 AND status = 'open'`,
      [row.id, JSON.stringify(entry)],
    );
    return { uploadId: row.id, partNumber, recorded: true };
  }

  async abort(id: string, key: AuthenticatedKey): Promise<void> {
    await this.abortRow(await this.open(id, key));
  }

  /** The file must be exactly as large as declared (and within the limit). */
  private sizeProblem(row: UploadEntity, bytes: number): string | null {
    if (bytes > this.cfg.UPLOAD_MAX_BYTES) {
      return `The file is ${bytes} bytes; the limit is ${this.cfg.UPLOAD_MAX_BYTES} bytes.`;
    }
    const declared = Number(row.sizeBytes);
    if (bytes !== declared) {
      return `The parts hold ${bytes} bytes, but the upload declared ${declared} bytes.`;
    }
    return null;
  }

  async abortRow(row: UploadEntity, status: 'aborted' | 'failed' = 'aborted'): Promise<void> {
    await this.storage.abortMultipart(row.objectKey, row.s3UploadId).catch((err: Error) => {
      // Already gone (aborted elsewhere, expired by a lifecycle rule) is fine; so is a
      // server without AbortMultipartUpload (s3rver), where only the row can be closed.
      if (!/NoSuchUpload|NotFound|MethodNotAllowed|NotImplemented/i.test(err.name)) throw err;
    });
    await this.uploads.update({ id: row.id }, { status });
  }

  private async storedParts(row: UploadEntity): Promise<StoredPart[]> {
    const listed = await this.storage.listParts(row.objectKey, row.s3UploadId);
    if (listed) return listed;
    return Object.entries(row.parts ?? {})
      .map(([n, p]) => ({ partNumber: Number(n), etag: p.etag, size: p.size }))
      .sort((a, b) => a.partNumber - b.partNumber);
  }

  private async presign(row: UploadEntity, partNumbers: number[]) {
    return Promise.all(
      partNumbers.map(async (partNumber) => ({
        partNumber,
        url: await this.storage.presignPart(row.objectKey, row.s3UploadId, partNumber),
      })),
    );
  }

  /** Activity keeps the sweeper away from uploads a client is still working on. */
  private async touch(row: UploadEntity): Promise<void> {
    await this.uploads.update({ id: row.id }, { updatedAt: new Date() });
  }

  private async get(id: string, key: AuthenticatedKey): Promise<UploadEntity> {
    const row = isUuid(id) ? await this.uploads.findOne({ where: { id } }) : null;
    if (!row || !canSeeOwner(key, row.ownerKeyId)) {
      throw new NotFoundException(`Upload ${id} was not found.`);
    }
    return row;
  }

  private async open(id: string, key: AuthenticatedKey): Promise<UploadEntity> {
    const row = await this.get(id, key);
    if (row.status !== 'open') throw new ConflictException(`Upload ${id} is ${row.status}.`);
    return row;
  }
}
