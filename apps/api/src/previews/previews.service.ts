import {
  BadRequestException,
  ConflictException,
  GoneException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { isBadInputError, redactSecrets, validateClipLook } from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
import {
  captionWordsOf,
  clipOutputs,
  layoutOutputs,
  segmentsOutputs,
  silenceOutputs,
  transcriptOutputs,
} from '@clipline/pipeline';
import { planClipLook, renderStill, titleFromFilename, withWorkDir } from '@clipline/rendering';
import { StorageService } from '@clipline/storage';
import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { isUuid } from '../jobs/job-access.service';
import { PreviewGate } from './preview-gate';

/**
 * One still of a clip rendered with a look the creator is trying out: the
 * same look resolution, layout choice, captions and title as the render
 * worker, for one frame. Nothing is stored.
 */
@Injectable()
export class PreviewsService {
  private readonly gate: PreviewGate;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly storage: StorageService,
  ) {
    this.gate = new PreviewGate(cfg.PREVIEW_CONCURRENCY);
  }

  /** The look from a request body, or 400 naming every bad field. */
  parseLook(body: unknown) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestException('The body must be a JSON object like {"look": {...}}.');
    }
    const extra = Object.keys(body).filter((k) => k !== 'look');
    if (extra.length) throw new BadRequestException(`${extra[0]} is not a known field`);
    const { value, errors } = validateClipLook((body as { look?: unknown }).look);
    if (errors.length) throw new BadRequestException(errors.join('; '));
    return value;
  }

  async render(job: JobEntity, clipId: string, body: unknown): Promise<Buffer> {
    const lookInput = this.parseLook(body);
    const m = this.ds.manager;
    const clip = isUuid(clipId) ? await clipOutputs.readOne(m, clipId, job.id) : null;
    if (!clip) throw new NotFoundException(`Clip ${clipId} was not found in this job.`);
    const segment = await segmentsOutputs.readOne(m, clip.segmentId);
    if (!segment) throw new NotFoundException(`Clip ${clipId} was not found in this job.`);
    if (!job.mediaInfo) throw new ConflictException('The source has not been probed yet.');
    if (job.sourceDeletedAt) {
      throw new GoneException(
        `The source was deleted by retention on ${job.sourceDeletedAt.toISOString()}; a preview needs it.`,
      );
    }
    const release = this.gate.tryEnter();
    if (!release) {
      throw new HttpException(
        `Too many previews are being rendered (at most ${this.gate.limit} at once); try again in a moment.`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    try {
      const [transcript, silences, layout] = await Promise.all([
        transcriptOutputs.read(m, job.id),
        silenceOutputs.readWindow(m, job.id, segment),
        layoutOutputs.read(m, job.id),
      ]);
      // The caption tier's words once a render made them, else the transcript's.
      const words = captionWordsOf(segment, transcript);
      const look = planClipLook({
        jobLook: job.options.look,
        clipLook: lookInput ?? clip.look,
        media: job.mediaInfo,
        aspect: clip.aspect,
        start: segment.start,
        end: segment.end,
        words,
        analysis: layout,
      });
      const sourceUrl = await this.storage.presignGet(job.sourceKey);
      const signal = AbortSignal.timeout(this.cfg.PREVIEW_TIMEOUT_MS);
      return await withWorkDir(
        async (workDir) => {
          const still = await renderStill(
            {
              sourceUrl,
              media: job.mediaInfo,
              start: segment.start,
              end: segment.end,
              aspect: clip.aspect,
              words,
              silences,
              removeSilence: job.options.removeSilence,
              captions: job.options.captions,
              cropPlan: look.cropPlan,
              look: look.look,
              layout: look.layout,
              faceTracks: look.faceTracks,
              keywords: look.keywords,
              title: titleFromFilename(job.sourceFilename),
              workDir,
            },
            { signal },
          ).catch((err: Error) => {
            if (signal.aborted) {
              throw new ServiceUnavailableException(
                `The preview took longer than ${this.cfg.PREVIEW_TIMEOUT_MS} ms and was stopped.`,
              );
            }
            if (isBadInputError(err))
              throw new UnprocessableEntityException(redactSecrets(err.message));
            throw err;
          });
          return readFile(still.jpegPath);
        },
        { parent: this.cfg.WORK_DIR },
      );
    } finally {
      release();
    }
  }
}
