import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { isBadInputError, type JobOptions, type MediaInfo } from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
import { probeMedia } from '@clipline/media';
import { JobOrchestrator } from '@clipline/pipeline';
import { StorageService } from '@clipline/storage';

export interface IntakeInput {
  jobId: string;
  ownerKeyId: string | null;
  sourceKey: string;
  sourceFilename: string | null;
  options: JobOptions;
  /** Known when the bytes passed through the API; otherwise read back from S3 here. */
  contentSha256?: string | null;
  /** The API wrote the object itself, so a refused file is removed again. */
  deleteOnReject: boolean;
}

/** A probe has to answer quickly; ffprobe reads only the first few MB. */
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Probe and validate a stored source, then create the job. Every entry point
 * (multipart completion, streaming upload, existing object) ends here, so the
 * limits are enforced the same way everywhere.
 */
@Injectable()
export class JobIntakeService {
  private readonly log = new Logger(JobIntakeService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly storage: StorageService,
    private readonly orchestrator: JobOrchestrator,
  ) {}

  async intake(input: IntakeInput): Promise<JobEntity> {
    const head = await this.storage.head(input.sourceKey);
    if (!head) throw new NotFoundException(`No object "${input.sourceKey}" in the bucket.`);
    if (head.size > this.cfg.UPLOAD_MAX_BYTES) {
      await this.reject(
        input,
        `The file is ${head.size} bytes; the limit is ${this.cfg.UPLOAD_MAX_BYTES} bytes.`,
      );
    }
    const mediaInfo = await this.probe(input);
    if (mediaInfo.durationSec > this.cfg.MAX_SOURCE_SECONDS) {
      await this.reject(
        input,
        `The file is ${Math.round(mediaInfo.durationSec)} s long; the limit is ${this.cfg.MAX_SOURCE_SECONDS} s.`,
      );
    }
    // Known before the job exists, so reuse is decided in the transaction that creates it.
    const contentSha256 = input.contentSha256 ?? (await this.hashSource(input.sourceKey));
    return this.orchestrator.createJob({
      jobId: input.jobId,
      ownerKeyId: input.ownerKeyId,
      sourceKey: input.sourceKey,
      sourceFilename: input.sourceFilename,
      sourceSizeBytes: head.size,
      mediaInfo,
      contentSha256,
      options: {
        ...input.options,
        // Fixed now, so a later change of the defaults does not move this job's dates.
        retention: {
          sourceDays: input.options.retention?.sourceDays ?? this.cfg.RETENTION_SOURCE_DAYS,
          clipDays: input.options.retention?.clipDays ?? this.cfg.RETENTION_CLIP_DAYS,
        },
      },
    });
  }

  private async hashSource(key: string): Promise<string> {
    try {
      return await this.storage.sha256Of(key);
    } catch (err) {
      this.log.warn(`hashing ${key} failed: ${(err as Error).message}`);
      throw new ServiceUnavailableException(
        'The uploaded file could not be read back right now; try again.',
      );
    }
  }

  private async probe(input: IntakeInput): Promise<MediaInfo> {
    const url = await this.storage.presignGet(input.sourceKey, 15 * 60);
    const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
    try {
      return await probeMedia(url, { signal });
    } catch (err) {
      if (isBadInputError(err)) return this.reject(input, (err as Error).message);
      this.log.warn(`probe of ${input.sourceKey} failed: ${(err as Error).message}`);
      throw new ServiceUnavailableException(
        'The uploaded file could not be checked right now; try completing the upload again.',
      );
    }
  }

  private async reject(input: IntakeInput, message: string): Promise<never> {
    if (input.deleteOnReject) {
      await this.storage.deleteKeys([input.sourceKey]).catch((err: Error) => {
        this.log.warn(`could not delete refused source ${input.sourceKey}: ${err.message}`);
      });
    }
    throw new UnprocessableEntityException(message);
  }
}
