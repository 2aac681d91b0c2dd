import {
  BadRequestException,
  ConflictException,
  HttpException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  applyCaptionCorrections,
  inRange,
  isStageDone,
  redactSecrets,
  resolveClipLook,
  wordsText,
  type ClipDetail,
  type ClipEditedView,
  type ClipRenderView,
  type CorrectionAddedView,
  type CorrectionRevertedView,
  type CorrectionScope,
  type JobLookView,
  type StoredClip,
  type TranscriptCorrectionsView,
  type TranscriptResult,
  type TrimPreview,
} from '@clipline/contracts';
import { CaptionCorrectionEntity, ClipEntity, JobEntity, JobStageEntity } from '@clipline/database';
import {
  ClipRerenderer,
  ClipRows,
  OrchestrationError,
  asCorrection,
  clipOutputs,
  correctionRowsForClip,
  layoutOutputs,
  silenceOutputs,
  transcriptOutputs,
} from '@clipline/pipeline';
import { snapClipEdges } from '@clipline/segmenting';
import { StorageService } from '@clipline/storage';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { isUuid } from '../jobs/job-access.service';
import {
  CLIP_MAX_SECONDS,
  CLIP_MIN_SECONDS,
  correctionText,
  expectedVersion,
  look as parseLook,
  mergeLook,
  objectBody,
  onlyFields,
  range as parseRange,
  seconds,
} from './clip-edit.input';
import { baseWords, clipWordsContext, correctionView } from './clip-words';
import { httpStatusOfKind } from '../common/json-error.filter';

/** Serialises the per-job correction counter without locking the job row (see ClipRerenderer). */
const CORRECTION_LOCK_CLASS = 0x636f_7272; // "corr"

/**
 * The creator's edits of a finished (or still running) job: caption fixes,
 * trims and looks, each bumping the clip's version, and the render of one
 * clip. Nothing here runs a stage before rendering.
 */
@Injectable()
export class ClipEditsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly storage: StorageService,
    private readonly rerenderer: ClipRerenderer,
  ) {}

  async clip(job: JobEntity, clipId: string): Promise<StoredClip> {
    const clip = isUuid(clipId) ? await clipOutputs.readOne(this.ds.manager, clipId, job.id) : null;
    if (!clip) throw new NotFoundException(`Clip ${clipId} was not found in job ${job.id}.`);
    return clip;
  }

  /** Everything the editor shows: words with fixes, edges, look, both versions. */
  async detail(job: JobEntity, clipId: string): Promise<ClipDetail> {
    const clip = await this.clip(job, clipId);
    const ctx = await clipWordsContext(this.ds.manager, clip);
    if (!ctx) throw new NotFoundException(`Clip ${clipId} has no segment any more.`);
    const base = baseWords(ctx);
    const rows = await correctionRowsForClip(this.ds.manager, clip);
    const words = applyCaptionCorrections(base, rows.map(asCorrection));
    const transcriptWords = ctx.transcriptWords;
    const corrections = rows.map((r) =>
      correctionView(r, r.scope === 'transcript' ? transcriptWords : base),
    );
    const name = `clip-${ctx.segment.rank}-${clip.aspect.replace(':', 'x')}-v${clip.renderedVersion ?? 1}`;
    const url = (key: string | null, ext: string) =>
      key ? this.storage.presignPublicGet(key, `${name}.${ext}`) : Promise.resolve(null);
    const hasObjects = !!clip.videoKey;
    const pending = clip.status === 'queued' || clip.status === 'rendering';
    return {
      id: clip.id,
      jobId: job.id,
      segmentId: clip.segmentId,
      rank: ctx.segment.rank,
      aspect: clip.aspect,
      status: clip.status,
      version: clip.version,
      renderedVersion: clip.renderedVersion,
      /** True when edits wait for a render. */
      edited: clip.version !== clip.renderedVersion,
      start: ctx.range.start,
      end: ctx.range.end,
      durationSec: round3(ctx.range.end - ctx.range.start),
      segment: { start: ctx.segment.start, end: ctx.segment.end, text: ctx.segment.text },
      source: { durationSec: job.mediaInfo.durationSec },
      look: clip.look,
      jobLook: job.options.look ?? null,
      resolvedLook: resolveClipLook(job.options.look, clip.look),
      layoutChoice: clip.layoutChoice,
      /** The hook title's default: the clip's first sentence. */
      firstSentence: firstSentence(wordsText(words)),
      words: words.map((w) => ({
        text: w.text,
        start: w.start,
        end: w.end,
        corrected: w.corrected ?? false,
      })),
      corrections,
      conflicts: corrections.filter((c) => c.conflict),
      current: hasObjects
        ? {
            version: clip.renderedVersion,
            durationSec: clip.durationSec,
            downloads: {
              video: await url(clip.videoKey, 'mp4'),
              thumbnail: await url(clip.thumbnailKey, 'jpg'),
              vtt: await url(clip.vttKey, 'vtt'),
              srt: await url(clip.srtKey, 'srt'),
            },
          }
        : null,
      next:
        pending || clip.status === 'failed'
          ? {
              version: clip.renderingVersion ?? clip.version,
              status: clip.status,
              progress: clip.progress,
              error: redactSecrets(clip.error),
            }
          : null,
    };
  }

  /** A dry run: where the edges would snap and which words the clip gains or loses. */
  async trimPreview(job: JobEntity, clipId: string, raw: unknown): Promise<TrimPreview> {
    const body = objectBody(raw);
    onlyFields(body, ['start', 'end', 'version']);
    const clip = await this.clip(job, clipId);
    return this.snapTrim(job, clip, body);
  }

  /** Trim and look in one edit; the version check refuses a stale editor with 409. */
  async edit(
    job: JobEntity,
    clipId: string,
    raw: unknown,
    ifMatch?: string,
  ): Promise<ClipEditedView> {
    const body = objectBody(raw);
    onlyFields(body, ['start', 'end', 'look', 'version']);
    const expected = expectedVersion(body, ifMatch);
    const newLook = parseLook(body);
    const clip = await this.clip(job, clipId);
    const trimmed = 'start' in body || 'end' in body ? await this.snapTrim(job, clip, body) : null;
    if (!trimmed && newLook === undefined) {
      throw new BadRequestException('nothing to change: send start and end, or look');
    }
    await this.ds.transaction(async (m) => {
      const set: Partial<ClipEntity> = {};
      if (trimmed) {
        set.startSec = trimmed.snapped.start;
        set.endSec = trimmed.snapped.end;
      }
      if (newLook !== undefined) set.look = newLook && mergeLook(clip.look, newLook);
      await this.bumpClip(m, clip.id, expected, set);
    });
    return { ...(await this.detail(job, clipId)), trim: trimmed };
  }

  /** The job's default look; clips without their own choice follow it at their next render. */
  async setJobLook(job: JobEntity, raw: unknown): Promise<JobLookView> {
    const body = objectBody(raw);
    onlyFields(body, ['look']);
    const value = parseLook(body);
    if (value === undefined) throw new BadRequestException('look is required (null clears it)');
    await this.ds.transaction(async (m) => {
      const locked = await m
        .createQueryBuilder(JobEntity, 'j')
        .setLock('pessimistic_write')
        .where('j.id = :id', { id: job.id })
        .getOneOrFail();
      const options = { ...locked.options };
      if (value) options.look = mergeLook(locked.options.look ?? null, value);
      else delete options.look;
      await m.update(JobEntity, { id: job.id }, { options });
      await ClipRows.bumpVersionsOfJob(m, job.id);
    });
    const fresh = await this.ds.getRepository(JobEntity).findOneByOrFail({ id: job.id });
    return { jobId: job.id, look: fresh.options.look ?? null };
  }

  async addCorrection(
    job: JobEntity,
    key: AuthenticatedKey,
    clipId: string | null,
    raw: unknown,
    ifMatch?: string,
  ): Promise<CorrectionAddedView> {
    const body = objectBody(raw);
    onlyFields(body, ['start', 'end', 'text', 'version']);
    const text = correctionText(body);
    const expected = expectedVersion(body, ifMatch);
    const scope: CorrectionScope = clipId ? 'clip' : 'transcript';
    const clip = clipId ? await this.clip(job, clipId) : null;
    let limit: { start: number; end: number };
    let original: string;
    if (clip) {
      const ctx = await clipWordsContext(this.ds.manager, clip);
      if (!ctx) throw new NotFoundException(`Clip ${clipId} has no segment any more.`);
      limit = ctx.range;
      const r = parseRange(body, limit);
      original = wordsText(baseWords(ctx).filter((w) => inRange(w, r.start, r.end)));
    } else {
      const t = await this.transcriptOrConflict(job);
      limit = { start: 0, end: Math.max(job.mediaInfo.durationSec, t.words.at(-1)?.end ?? 0) };
      const r = parseRange(body, limit);
      original = wordsText(t.words.filter((w) => inRange(w, r.start, r.end)));
    }
    const { start, end } = parseRange(body, limit);
    const row = await this.ds.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        CORRECTION_LOCK_CLASS,
        job.id,
      ]);
      const [{ v }] = (await m.query(
        `SELECT COALESCE(max(version), 0)::int AS v FROM caption_corrections WHERE job_id = $1`,
        [job.id],
      )) as Array<{ v: number }>;
      if (clip) {
        await this.bumpClip(m, clip.id, expected, {});
      } else {
        if (expected !== undefined && expected !== v) {
          throw new ConflictException(
            `The transcript's corrections are at version ${v}, not ${expected}; reload and edit again.`,
          );
        }
        await ClipRows.bumpVersionsOver(m, job.id, start, end);
      }
      // A newer fix of a range supersedes the fixes wholly inside it; they stay as history.
      await m
        .createQueryBuilder()
        .update(CaptionCorrectionEntity)
        .set({ active: false })
        .where('job_id = :jobId AND active AND scope = :scope', { jobId: job.id, scope })
        .andWhere(clip ? 'clip_id = :clipId' : 'TRUE', { clipId: clip?.id })
        .andWhere('start_sec >= :start AND end_sec <= :end', { start, end })
        .execute();
      return m.save(
        m.create(CaptionCorrectionEntity, {
          jobId: job.id,
          scope,
          clipId: clip?.id ?? null,
          version: v + 1,
          start,
          end,
          text,
          originalText: original,
          active: true,
          authorKeyId: key.id,
        }),
      );
    });
    return {
      correction: correctionView(row, []),
      clip: clip ? await this.detail(job, clip.id) : null,
    };
  }

  /** Turns a fix off (the row stays as history); the clips it touched wait for a render. */
  async revertCorrection(job: JobEntity, correctionId: string): Promise<CorrectionRevertedView> {
    const row = isUuid(correctionId)
      ? await this.ds
          .getRepository(CaptionCorrectionEntity)
          .findOneBy({ id: correctionId, jobId: job.id })
      : null;
    if (!row) throw new NotFoundException(`Correction ${correctionId} was not found.`);
    await this.ds.transaction(async (m) => {
      await m.update(CaptionCorrectionEntity, { id: row.id }, { active: false });
      if (row.clipId) await this.bumpClip(m, row.clipId, undefined, {});
      else await ClipRows.bumpVersionsOver(m, job.id, row.start, row.end);
    });
    return { id: row.id, active: false };
  }

  async transcriptCorrections(job: JobEntity): Promise<TranscriptCorrectionsView> {
    const t = await this.transcriptOrConflict(job);
    const rows = await this.ds.getRepository(CaptionCorrectionEntity).find({
      where: { jobId: job.id, scope: 'transcript' },
      order: { version: 'ASC' },
    });
    const views = rows.map((r) => correctionView(r, t.words));
    const [{ v }] = (await this.ds.query(
      `SELECT COALESCE(max(version), 0)::int AS v FROM caption_corrections WHERE job_id = $1`,
      [job.id],
    )) as Array<{ v: number }>;
    return {
      jobId: job.id,
      version: v,
      corrections: views,
      conflicts: views.filter((c) => c.active && c.conflict),
    };
  }

  async render(job: JobEntity, clipId: string): Promise<ClipRenderView> {
    const clip = await this.clip(job, clipId);
    const [req] = await asHttp(() =>
      this.rerenderer.renderClips(job.id, [clip.id], `clip ${clip.id} v${clip.version} edited`),
    );
    return req;
  }

  async promote(job: JobEntity, segmentId: string) {
    if (!isUuid(segmentId)) {
      throw new NotFoundException(`Segment ${segmentId} was not found in job ${job.id}.`);
    }
    const reqs = await asHttp(() => this.rerenderer.promoteSegment(job.id, segmentId));
    return { clips: reqs };
  }

  private async snapTrim(
    job: JobEntity,
    clip: StoredClip,
    body: Record<string, unknown>,
  ): Promise<TrimPreview> {
    const ctx = await clipWordsContext(this.ds.manager, clip);
    if (!ctx) throw new NotFoundException(`Clip ${clip.id} has no segment any more.`);
    const dur = job.mediaInfo.durationSec;
    const start = seconds(body, 'start', true) ?? ctx.range.start;
    const end = seconds(body, 'end', true) ?? ctx.range.end;
    if (end > dur + 1e-6) {
      throw new BadRequestException(`end must be within the source (${dur.toFixed(3)} s)`);
    }
    if (end <= start) throw new BadRequestException('end must be after start');
    const [silences, layout] = await Promise.all([
      silenceOutputs.read(this.ds.manager, job.id),
      layoutOutputs.read(this.ds.manager, job.id),
    ]);
    const snapped = snapClipEdges({
      words: ctx.transcriptWords,
      pauses: silences.map((s) => ({ start: s.start, end: s.end })),
      roomTone: silences
        .filter((s) => s.kind === 'silence')
        .map((s) => ({ start: s.start, end: s.end })),
      sceneCuts: layout?.sceneCuts ?? [],
      sampleFps: layout?.sampleFps ?? 0,
      durationSec: dur,
      start,
      end,
    });
    const length = snapped.end - snapped.start;
    if (length < CLIP_MIN_SECONDS - 1e-6 || length > CLIP_MAX_SECONDS + 1e-6) {
      throw new BadRequestException(
        `end: the clip would last ${length.toFixed(2)} s after snapping to words (${snapped.start}–${snapped.end} s); clips last ${CLIP_MIN_SECONDS}–${CLIP_MAX_SECONDS} s`,
      );
    }
    const before = baseWords(ctx);
    const after = baseWords(ctx, snapped);
    const key = (w: { start: number; text: string }) => `${w.start.toFixed(3)}|${w.text}`;
    const had = new Set(before.map(key));
    const has = new Set(after.map(key));
    const view = (w: { text: string; start: number; end: number }) => ({
      text: w.text,
      start: w.start,
      end: w.end,
    });
    return {
      requested: { start, end },
      snapped: { start: snapped.start, end: snapped.end, durationSec: round3(length) },
      rules: { start: snapped.startRule, end: snapped.endRule },
      previous: { start: ctx.range.start, end: ctx.range.end },
      gained: after.filter((w) => !had.has(key(w))).map(view),
      lost: before.filter((w) => !has.has(key(w))).map(view),
    };
  }

  /**
   * One atomic compare-and-bump: with an expected version the update only
   * matches that version, so of two editors who saw v3 one gets v4 and the
   * other a 409.
   */
  private async bumpClip(
    m: EntityManager,
    clipId: string,
    expected: number | undefined,
    set: Partial<ClipEntity>,
  ): Promise<number> {
    const version = await ClipRows.bumpVersion(m, clipId, expected, set);
    if (version === null) {
      const now = await m.findOne(ClipEntity, { where: { id: clipId } });
      if (!now) throw new NotFoundException(`Clip ${clipId} was not found.`);
      throw new ConflictException(
        `Clip ${clipId} is at version ${now.version}, not ${expected}; someone edited it since. Reload and edit again.`,
      );
    }
    return version;
  }

  private async transcriptOrConflict(job: JobEntity): Promise<TranscriptResult> {
    const stage = await this.ds
      .getRepository(JobStageEntity)
      .findOneBy({ jobId: job.id, stage: 'transcription' });
    const t = await transcriptOutputs.read(this.ds.manager, job.id);
    if (!stage || !isStageDone(stage.status) || !t) {
      throw new ConflictException(
        `Transcription has not finished (status: ${stage?.status ?? 'missing'}); there are no words to correct yet.`,
      );
    }
    return t;
  }
}

async function asHttp<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OrchestrationError) {
      throw new HttpException(err.message, httpStatusOfKind(err.kind));
    }
    throw err;
  }
}

function firstSentence(text: string): string | null {
  const m = /^(.{1,120}?[.!?])(\s|$)/.exec(text);
  const s = (m ? m[1] : text.split(/\s+/).slice(0, 12).join(' ')).trim();
  return s || null;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
