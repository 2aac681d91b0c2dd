import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { InjectRepository } from '@nestjs/typeorm';
import {
  correctTranscript,
  isStageDone,
  redactSecrets,
  skipReason,
  type ClipsView,
  type ContentSegment,
  type LayoutView,
  type LogsView,
  type SegmentsView,
  type SilencesView,
  type StageName,
  type TranscriptView,
} from '@clipline/contracts';
import { JobStageEntity, ProcessingLogEntity, type JobEntity } from '@clipline/database';
import {
  clipOutputs,
  correctionsForTranscript,
  layoutOutputs,
  segmentsOutputs,
  silenceOutputs,
  transcriptOutputs,
  type StoredTranscript,
} from '@clipline/pipeline';
import { StorageService } from '@clipline/storage';
import { MoreThan, Repository, type EntityManager } from 'typeorm';
import { assertClipsAvailable } from '../retention/retention-gone';
import { nonSpeechFlags, silenceTimeline, type TimelineRegion } from './silence-timeline.builder';

/** Reads a finished stage's outputs; a 409 names the stage still pending. */
@Injectable()
export class ResultsService {
  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @InjectRepository(JobStageEntity) private readonly stagesRepo: Repository<JobStageEntity>,
    @InjectRepository(ProcessingLogEntity)
    private readonly logsRepo: Repository<ProcessingLogEntity>,
    private readonly storage: StorageService,
  ) {}

  private get m(): EntityManager {
    return this.stagesRepo.manager;
  }

  async requireStage(job: JobEntity, stage: StageName): Promise<JobStageEntity> {
    const row = await this.stagesRepo.findOne({ where: { jobId: job.id, stage } });
    if (!row || !isStageDone(row.status)) {
      const status = row?.status ?? 'missing';
      throw new ConflictException(
        `The ${stage} stage has not finished yet (status: ${status}); its results are not ready.`,
      );
    }
    return row;
  }

  /** The stored transcript with the creator's fixes applied (every format shows them). */
  async transcript(job: JobEntity): Promise<StoredTranscript> {
    await this.requireStage(job, 'transcription');
    const t = await transcriptOutputs.read(this.m, job.id);
    if (!t) throw new NotFoundException('This job has no transcript.');
    const fixes = await correctionsForTranscript(this.m, job.id);
    const corrected = correctTranscript(t, fixes);
    return { ...t, words: corrected.words, segments: corrected.segments, text: corrected.text };
  }

  /**
   * The transcript as JSON, each word flagged `nonSpeech` when it lies in
   * silence or music by the silence stage's regions. The transcript is often
   * stored before the silence stage finishes, so the flags are worked out on
   * each read; `nonSpeechChecked` is false (and no word is flagged) until then.
   */
  async transcriptJson(job: JobEntity, t: StoredTranscript): Promise<TranscriptView> {
    const timeline = await this.timelineIfDone(job);
    const flags = timeline ? nonSpeechFlags(t.words, timeline) : null;
    const { words, createdAt, ...rest } = t;
    return {
      jobId: job.id,
      ...rest,
      nonSpeechChecked: flags !== null,
      words: words.map((w, i) => ({ ...w, nonSpeech: flags?.[i] ?? false })),
      createdAt: createdAt.toISOString(),
    };
  }

  private async timelineIfDone(job: JobEntity): Promise<TimelineRegion[] | null> {
    const stage = await this.stagesRepo.findOne({ where: { jobId: job.id, stage: 'silence' } });
    if (!stage || !isStageDone(stage.status)) return null;
    return silenceTimeline(await silenceOutputs.read(this.m, job.id));
  }

  async silences(job: JobEntity): Promise<SilencesView> {
    const stage = await this.requireStage(job, 'silence');
    const regions = await silenceOutputs.read(this.m, job.id);
    return {
      jobId: job.id,
      status: stage.status,
      summary: stage.summary,
      // One timeline without overlaps; the detectors' own layers stay available beside it.
      regions: silenceTimeline(regions),
      layers: {
        silence: regions.filter((r) => r.kind === 'silence'),
        nonSpeech: regions.filter((r) => r.kind === 'non_speech'),
      },
    };
  }

  async layout(job: JobEntity): Promise<LayoutView> {
    const stage = await this.requireStage(job, 'layout');
    const l = await layoutOutputs.read(this.m, job.id);
    return {
      jobId: job.id,
      status: stage.status,
      summary: stage.summary,
      sampleFps: l?.sampleFps ?? null,
      frameCount: l?.frameCount ?? 0,
      scenes: l?.scenes ?? [],
      sceneCuts: l?.sceneCuts ?? [],
      faceTracks: l?.faceTracks ?? [],
      cropPlans: l?.cropPlans ?? [],
      note: l?.note ?? skipReason(stage.summary),
    };
  }

  async segments(job: JobEntity): Promise<SegmentsView> {
    const stage = await this.requireStage(job, 'segmenting');
    const rows = await segmentsOutputs.read(this.m, job.id);
    const view = (s: ContentSegment) => ({
      id: s.id,
      rank: s.rank,
      start: s.start,
      end: s.end,
      durationSec: s.end - s.start,
      score: s.score,
      features: s.features,
      reason: s.reason,
      text: s.text,
      selected: s.selected,
    });
    return {
      jobId: job.id,
      summary: stage.summary,
      selected: rows.filter((s) => s.selected).map(view),
      runnersUp: rows.filter((s) => !s.selected).map(view),
    };
  }

  async clips(job: JobEntity): Promise<ClipsView> {
    await this.requireStage(job, 'segmenting');
    assertClipsAvailable(job, this.cfg);
    const rows = await clipOutputs.readForJob(this.m, job.id);
    const segments = await segmentsOutputs.read(this.m, job.id);
    const rankOf = new Map(segments.map((s) => [s.id, s.rank]));
    const url = (key: string | null, name: string) =>
      key ? this.storage.presignPublicGet(key, name) : Promise.resolve(null);
    const items = await Promise.all(
      rows.map(async (c) => {
        const base = `clip-${rankOf.get(c.segmentId) ?? 0}-${c.aspect.replace(':', 'x')}`;
        // The published version stays downloadable while the next one renders or after it failed.
        const done = !!c.videoKey;
        return {
          id: c.id,
          segmentId: c.segmentId,
          rank: rankOf.get(c.segmentId) ?? null,
          aspect: c.aspect,
          status: c.status,
          attempt: c.attempt,
          durationSec: c.durationSec,
          width: c.width,
          height: c.height,
          sizeBytes: c.sizeBytes,
          renderMs: c.renderMs,
          version: c.version,
          renderedVersion: c.renderedVersion,
          next:
            c.status === 'queued' || c.status === 'rendering' || c.status === 'failed'
              ? { version: c.renderingVersion ?? c.version, status: c.status }
              : null,
          // Which recogniser's words the captions and sidecars show (null before rendering).
          captionEngine: c.captionEngine,
          // The layout the renderer used and why (null before rendering).
          layoutChoice: c.layoutChoice,
          error: redactSecrets(c.error),
          downloads: done
            ? {
                video: await url(c.videoKey, `${base}.mp4`),
                thumbnail: await url(c.thumbnailKey, `${base}.jpg`),
                vtt: await url(c.vttKey, `${base}.vtt`),
                srt: await url(c.srtKey, `${base}.srt`),
              }
            : null,
        };
      }),
    );
    items.sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0) || a.aspect.localeCompare(b.aspect));
    return { jobId: job.id, clips: items };
  }

  async logs(job: JobEntity, afterId: number, limit: number): Promise<LogsView> {
    const rows = await this.logsRepo.find({
      where: { jobId: job.id, id: MoreThan(String(afterId)) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      jobId: job.id,
      items: page.map((l) => ({
        id: Number(l.id),
        stage: l.stage,
        attempt: l.attempt,
        event: l.event,
        // Rows from before redaction at write time may still hold signed URLs.
        message: redactSecrets(l.message),
        command: redactSecrets(l.command),
        // The stack tail of a failure, for whoever debugs the worker.
        details: redactSecrets(l.details),
        durationMs: l.durationMs,
        workerHost: l.workerHost,
        createdAt: l.createdAt.toISOString(),
      })),
      nextAfter: rows.length > limit ? Number(page[page.length - 1].id) : null,
    };
  }
}
