import type { AppConfig } from '@clipline/config';
import type {
  CaptionEngineInfo,
  ContentSegment,
  MediaInfo,
  StageHooks,
  TranscriptResult,
  TranscriptWord,
} from '@clipline/contracts';
import { StaleAttemptError, segmentsOutputs } from '@clipline/pipeline';
import {
  POCKETSPHINX_FAST_ARGS,
  createEngine,
  transcribeWindow,
  type EngineName,
  type TranscribeOptions,
  type TranscriptionEngine,
} from '@clipline/transcription';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';

type CaptionConfig = Pick<
  AppConfig,
  | 'CAPTION_ENGINE'
  | 'CAPTION_PRESET'
  | 'CAPTION_WHISPER_MODEL'
  | 'TRANSCRIPTION_ENGINE'
  | 'POCKETSPHINX_PRESET'
  | 'MODEL_DIR'
  | 'OPENAI_BASE_URL'
  | 'OPENAI_API_KEY'
  | 'OPENAI_MODEL'
  | 'TRANSCRIPTION_CONCURRENCY'
>;

export type CaptionPlan =
  | { use: true; engine: EngineName; preset: string | null; options: TranscribeOptions }
  | { use: false; reason: string };

export interface CaptionWords {
  words: TranscriptWord[];
  info: CaptionEngineInfo;
  /** Whether this call recognised them (false: stored by an earlier clip of the segment). */
  recognised: boolean;
}

export interface CaptionRequest {
  clipId: string;
  attempt: number;
  segment: ContentSegment;
  /** The whole-source transcript's words over the segment, for when the tier is off. */
  fastWords: TranscriptWord[];
  transcript: TranscriptResult | null;
  language: string;
  sourceUrl: string;
  media: MediaInfo;
}

/** Keys the per-segment advisory lock apart from other advisory locks (the reconciler's). */
const LOCK_CLASS = 0x6361_7074; // "capt"
const LOCK_POLL_MS = 250;
/** Job states in which recognising ahead is still of use. */
const ACTIVE_JOB = ['queued', 'running'];

/** Which engine and settings the caption tier uses, or why it is not used. */
export function captionPlan(cfg: CaptionConfig, language: string): CaptionPlan {
  const engine = cfg.CAPTION_ENGINE ?? cfg.TRANSCRIPTION_ENGINE;
  if (engine === 'off') return { use: false, reason: 'CAPTION_ENGINE is off' };
  const preset = engine === 'pocketsphinx' ? cfg.CAPTION_PRESET : null;
  const whisperModel = engine === 'whisper' ? cfg.CAPTION_WHISPER_MODEL : undefined;
  const sameAsTranscript =
    engine === cfg.TRANSCRIPTION_ENGINE &&
    (engine !== 'pocketsphinx' || preset === cfg.POCKETSPHINX_PRESET) &&
    whisperModel === undefined;
  if (sameAsTranscript) {
    return { use: false, reason: 'the caption engine is the transcript engine' };
  }
  if (engine === 'pocketsphinx' && !/^(en|en-us|auto)$/i.test(language)) {
    return { use: false, reason: `pocketsphinx has no model for language "${language}"` };
  }
  return {
    use: true,
    engine,
    preset,
    options: {
      engine,
      language,
      modelDir: cfg.MODEL_DIR,
      whisperModel,
      openaiBaseUrl: cfg.OPENAI_BASE_URL,
      openaiApiKey: cfg.OPENAI_API_KEY,
      openaiModel: cfg.OPENAI_MODEL,
      pocketsphinxArgs: preset === 'fast' ? POCKETSPHINX_FAST_ARGS : undefined,
      concurrency: cfg.TRANSCRIPTION_CONCURRENCY,
    },
  };
}

const fastInfo = (t: TranscriptResult | null, note: string): CaptionEngineInfo => ({
  tier: 'fast',
  engine: t?.engine ?? 'none',
  model: t?.model ?? 'none',
  modelVersion: t?.modelVersion ?? 'none',
  preset: null,
  note,
});

/**
 * The caption tier of the render worker: before a clip renders, its segment
 * is re-recognised with the caption engine, once per segment. The first clip
 * of a segment to get here takes a per-segment advisory lock, recognises and
 * stores the words on the segment row (fenced by its clip attempt); the
 * segment's other aspects wait on the lock and reuse them.
 */
export class CaptionTier {
  private engine: Promise<TranscriptionEngine> | null = null;
  /** Jobs whose other segments this worker is recognising ahead, one loop per job. */
  private readonly ahead = new Map<string, Promise<void>>();
  private readonly closing = new AbortController();

  constructor(
    private readonly ds: DataSource,
    private readonly cfg: CaptionConfig,
  ) {}

  /** Creates and checks the caption engine once per worker, so a missing model fails early. */
  engineFor(plan: Extract<CaptionPlan, { use: true }>): Promise<TranscriptionEngine> {
    this.engine ??= (async () => {
      const e = createEngine(plan.options);
      await e.init();
      return e;
    })().catch((err: unknown) => {
      this.engine = null;
      throw err;
    });
    return this.engine;
  }

  async wordsFor(req: CaptionRequest, hooks: StageHooks & { signal: AbortSignal }) {
    const plan = captionPlan(this.cfg, req.language);
    if (!plan.use) return this.fast(req, plan.reason);
    if (!req.media.hasAudio) return this.fast(req, 'the source has no audio');
    this.recogniseAhead(req, plan);
    const stored = this.reusable(req.segment, plan);
    if (stored) return stored;
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await this.lock(qr, req.segment.id, hooks.signal);
      try {
        const fresh = await segmentsOutputs.readOne(qr.manager, req.segment.id);
        if (!fresh) throw new StaleAttemptError(req.segment.jobId, 'rendering', req.attempt);
        const again = this.reusable(fresh, plan);
        if (again) return again;
        return await this.recognise(qr, req, plan, hooks);
      } finally {
        await qr.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, req.segment.id]);
      }
    } finally {
      await qr.release();
    }
  }

  /** Stops recognising ahead and waits for it (worker shutdown, tests). */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.ahead.values()]);
  }

  /**
   * Recognises the job's other selected segments in the background, one at a
   * time, while this worker recognises and renders its clip: the recogniser
   * is one single-threaded process, so the clip's own caption pass leaves a
   * core idle, and an encode leaves gaps (probe, loudness pass, upload) that
   * the recogniser, below normal priority, fills. The clips of those segments
   * then find their words stored. Words depend only on the segment, the audio
   * and the engine, so the write is fenced by the segment still existing
   * without words and its job still being active, not by a clip attempt.
   */
  private recogniseAhead(req: CaptionRequest, plan: Extract<CaptionPlan, { use: true }>): void {
    const jobId = req.segment.jobId;
    if (this.ahead.has(jobId) || this.closing.signal.aborted) return;
    const run = this.aheadLoop(req, plan)
      .catch((err: Error) => {
        // Best effort: each clip still recognises its own segment if this did not.
        if (!this.closing.signal.aborted) console.warn(`caption tier ahead: ${err.message}`);
      })
      .finally(() => this.ahead.delete(jobId));
    this.ahead.set(jobId, run);
  }

  private async aheadLoop(
    req: CaptionRequest,
    plan: Extract<CaptionPlan, { use: true }>,
  ): Promise<void> {
    const jobId = req.segment.jobId;
    const done = new Set<string>([req.segment.id]);
    const signal = this.closing.signal;
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      for (;;) {
        signal.throwIfAborted();
        const next: Array<{ id: string }> = await qr.query(
          `SELECT s.id FROM content_segments s JOIN jobs j ON j.id = s.job_id
            WHERE s.job_id = $1 AND s.selected AND s.caption_words IS NULL
              AND j.status = ANY($2) AND NOT (s.id = ANY($3::uuid[]))
            ORDER BY s.rank LIMIT 1`,
          [jobId, ACTIVE_JOB, [...done]],
        );
        if (!next.length) return;
        const id = next[0].id;
        done.add(id);
        const got: Array<{ ok: boolean }> = await qr.query(
          'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok',
          [LOCK_CLASS, id],
        );
        // Another worker (or a clip) is on it already.
        if (!got[0]?.ok) continue;
        try {
          const seg = await segmentsOutputs.readOne(qr.manager, id);
          if (!seg || seg.captionWords) continue;
          const w = await this.recogniseWindow(req, seg, plan, { signal });
          await segmentsOutputs.saveCaptionWordsAhead(qr.manager, id, w.words, w.info, ACTIVE_JOB);
        } finally {
          await qr.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, id]);
        }
      }
    } finally {
      await qr.release();
    }
  }

  /** The caption engine's words for one segment's window, and the record of how they were made. */
  private async recogniseWindow(
    req: CaptionRequest,
    segment: ContentSegment,
    plan: Extract<CaptionPlan, { use: true }>,
    hooks: StageHooks,
  ): Promise<{ words: TranscriptWord[]; info: CaptionEngineInfo }> {
    const engine = await this.engineFor(plan);
    const w = await transcribeWindow(
      req.sourceUrl,
      { start: segment.start, end: Math.min(segment.end, req.media.durationSec || segment.end) },
      {
        ...plan.options,
        language: req.language,
        sourceFormat: req.media.formatName,
        sourceDurationSec: req.media.durationSec || undefined,
      },
      hooks,
      engine,
    );
    const info: CaptionEngineInfo = {
      tier: 'caption',
      engine: w.engine,
      model: w.model,
      modelVersion: w.modelVersion,
      preset: plan.preset,
      windowStart: w.start,
      windowEnd: w.end,
      elapsedMs: w.elapsedMs,
    };
    return { words: w.words, info };
  }

  private fast(req: CaptionRequest, reason: string): CaptionWords {
    return { words: req.fastWords, info: fastInfo(req.transcript, reason), recognised: false };
  }

  /** Stored words count only if the same engine and settings made them. */
  private reusable(
    seg: ContentSegment,
    plan: Extract<CaptionPlan, { use: true }>,
  ): CaptionWords | null {
    const info = seg.captionEngine;
    if (!seg.captionWords || !info || info.tier !== 'caption') return null;
    if (info.engine !== plan.engine || info.preset !== plan.preset) return null;
    if (plan.engine === 'whisper' && plan.options.whisperModel) {
      if (!info.model.includes(plan.options.whisperModel)) return null;
    }
    return { words: seg.captionWords, info, recognised: false };
  }

  /** Waits for the segment's lock without blocking a connection in Postgres, so an abort is heard. */
  private async lock(qr: QueryRunner, segmentId: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const rows: Array<{ ok: boolean }> = await qr.query(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok',
        [LOCK_CLASS, segmentId],
      );
      if (rows[0]?.ok) return;
      signal.throwIfAborted();
      await sleep(LOCK_POLL_MS, undefined, { signal });
    }
  }

  private async recognise(
    qr: QueryRunner,
    req: CaptionRequest,
    plan: Extract<CaptionPlan, { use: true }>,
    hooks: StageHooks & { signal: AbortSignal },
  ): Promise<CaptionWords> {
    const { segment } = req;
    // No onProgress: the clip's progress is the render's.
    const { words, info } = await this.recogniseWindow(req, segment, plan, {
      signal: hooks.signal,
      onCommand: hooks.onCommand,
      onLog: hooks.onLog,
    });
    // Fenced like every write of a render: only while this clip attempt holds its lease.
    const stored = await segmentsOutputs.saveCaptionWords(qr.manager, segment.id, words, info, {
      clipId: req.clipId,
      attempt: req.attempt,
    });
    if (!stored)
      throw new StaleAttemptError(segment.jobId, `rendering clip ${req.clipId}`, req.attempt);
    hooks.onLog?.(
      `caption tier: ${info.engine}${plan.preset ? ` ${plan.preset}` : ''} recognised ${words.length} words over ${(info.windowEnd! - info.windowStart!).toFixed(1)} s in ${(info.elapsedMs! / 1000).toFixed(1)} s`,
    );
    return { words, info, recognised: true };
  }
}
