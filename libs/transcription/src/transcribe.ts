import { availableParallelism } from 'node:os';
import type { MediaInfo, StageHooks, TranscriptResult, TranscriptWord } from '@clipline/contracts';
import { pcmFloat32Stream } from '@clipline/media';
import { mergeChunkResults, round3, segmentsFromPauses } from './chunk-merge';
import { createEngine } from './engine-factory';
import { FRAME_SEC, SilenceChunker, type AudioChunk } from './silence-chunker';
import {
  ENGINE_SAMPLE_RATE,
  type ChunkPlan,
  type ChunkTranscript,
  type TranscribeOptions,
  type TranscriptionEngine,
} from './transcription.types';

const DEFAULTS = { chunkSeconds: 45, overlapSeconds: 1, silenceDb: -45, minConfidence: 0 };
/** A chunk with less sound than this is not sent to the engine: it would only invent words. */
const MIN_AUDIBLE_SEC = 0.2;

function chunkerFor(
  opts: TranscribeOptions,
  originSec: number,
  coreStart: number,
  coreEnd: number,
  engineMaxSec = Infinity,
) {
  const overlap = opts.overlapSeconds ?? DEFAULTS.overlapSeconds;
  const target = Math.min(
    opts.chunkSeconds ?? DEFAULTS.chunkSeconds,
    (engineMaxSec - 2 * overlap) / 1.33,
  );
  return new SilenceChunker({
    sampleRate: ENGINE_SAMPLE_RATE,
    targetSec: target,
    minSec: target * 0.66,
    maxSec: target * 1.33,
    overlapSec: overlap,
    silenceDb: opts.silenceDb ?? DEFAULTS.silenceDb,
    originSec,
    coreStartSec: coreStart,
    coreEndSec: coreEnd,
  });
}

function audibleSeconds(frameDb: Float32Array, silenceDb: number): number {
  let n = 0;
  for (const d of frameDb) if (d >= silenceDb) n++;
  return n * FRAME_SEC;
}

/** Loudest 10 ms frame inside a word; a word said in silence is an engine's invention. */
function peakDb(chunk: AudioChunk, w: TranscriptWord): number {
  const a = Math.max(0, Math.floor((w.start - chunk.audioStart) / FRAME_SEC));
  const b = Math.min(chunk.frameDb.length, Math.ceil((w.end - chunk.audioStart) / FRAME_SEC));
  let peak = -120;
  for (let f = a; f < b; f++) peak = Math.max(peak, chunk.frameDb[f]);
  return peak;
}

async function transcribeAudioChunk(
  engine: TranscriptionEngine,
  chunk: AudioChunk,
  opts: TranscribeOptions,
  hooks: StageHooks,
  signal: AbortSignal,
): Promise<ChunkTranscript> {
  const silenceDb = opts.silenceDb ?? DEFAULTS.silenceDb;
  const audibleSec = audibleSeconds(chunk.frameDb, silenceDb);
  const base = { start: chunk.coreStart, end: chunk.coreEnd, audibleSec };
  if (audibleSec < MIN_AUDIBLE_SEC) return { ...base, words: [], segments: [] };
  const out = await engine.transcribeChunk(chunk.pcm, {
    language: opts.language,
    signal,
    onCommand: hooks.onCommand,
  });
  const chunkEnd = chunk.audioStart + chunk.pcm.length / ENGINE_SAMPLE_RATE;
  const minConf = opts.minConfidence ?? DEFAULTS.minConfidence;
  const words = out.words
    .map((w) => ({
      ...w,
      start: Math.max(chunk.audioStart, w.start + chunk.audioStart),
      end: Math.min(chunkEnd, w.end + chunk.audioStart),
    }))
    .filter((w) => w.end > w.start && w.confidence >= minConf && peakDb(chunk, w) >= silenceDb);
  const segments = out.segments.map((s) => ({
    text: s.text.trim(),
    start: Math.max(chunk.audioStart, s.start + chunk.audioStart),
    end: Math.min(chunkEnd, s.end + chunk.audioStart),
  }));
  return { ...base, words, segments, language: out.language };
}

interface RangeRun {
  chunks: ChunkTranscript[];
}

/**
 * Streams [start - overlap, end + overlap] of the source through the chunker
 * and transcribes up to `concurrency` chunks at once. Reading pauses while
 * all slots are busy, so memory stays at a few chunks whatever the length.
 */
async function runRange(
  engine: TranscriptionEngine,
  input: string,
  start: number,
  end: number,
  opts: TranscribeOptions,
  hooks: StageHooks,
  totalSec = end - start,
): Promise<RangeRun> {
  const overlap = opts.overlapSeconds ?? DEFAULTS.overlapSeconds;
  const origin = Math.max(0, start - overlap);
  const chunker = chunkerFor(opts, origin, start, end, engine.maxChunkSec);
  const concurrency = Math.max(1, opts.concurrency ?? availableParallelism());
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort();
  hooks.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const total = totalSec;
  const results: ChunkTranscript[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  let doneSec = 0;
  const launch = (c: AudioChunk) => {
    const p = transcribeAudioChunk(engine, c, opts, hooks, ac.signal)
      .then((r) => {
        results.push(r);
        doneSec += r.end - r.start;
        if (Number.isFinite(total)) hooks.onProgress?.(Math.min(0.99, doneSec / total));
        hooks.onLog?.(
          `chunk ${c.index} ${c.coreStart.toFixed(2)}-${c.coreEnd.toFixed(2)} s: ${r.words.length} words`,
        );
      })
      .catch((err: unknown) => {
        failure ??= err;
        ac.abort();
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  try {
    const stream = pcmFloat32Stream(input, {
      sampleRate: ENGINE_SAMPLE_RATE,
      startSec: origin,
      durationSec: Number.isFinite(end) ? end + overlap - origin : undefined,
      formatName: opts.sourceFormat,
      signal: ac.signal,
      onCommand: hooks.onCommand,
    });
    // Waits for a free lane, so reading pauses while every lane is busy.
    const admit = async (chunks: AudioChunk[]) => {
      for (const c of chunks) {
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        if (failure) return;
        launch(c);
      }
    };
    for await (const samples of stream) {
      await admit(chunker.push(samples));
      if (failure) break;
    }
    // The last chunk waits for a lane too: launched at once, it ran one engine
    // more than there are lanes at the tail of every range.
    if (!failure) await admit(chunker.finish());
    await Promise.all(inFlight);
  } catch (err) {
    failure ??= err;
    ac.abort();
    await Promise.allSettled(inFlight);
  } finally {
    hooks.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (failure) throw failure;
  return { chunks: results.sort((a, b) => a.start - b.start) };
}

function emptyResult(
  engine: TranscriptionEngine,
  language: string,
  note: string,
): TranscriptResult {
  return {
    engine: engine.name,
    model: engine.model,
    modelVersion: engine.modelVersion,
    language,
    text: '',
    words: [],
    segments: [],
    note,
  };
}

/** Builds the stored transcript from merged chunks. */
export function buildResult(
  engine: Pick<TranscriptionEngine, 'name' | 'model' | 'modelVersion' | 'punctuates'>,
  language: string,
  chunks: ChunkTranscript[],
  durationSec: number,
): TranscriptResult {
  const merged = mergeChunkResults(chunks);
  const words = merged.words
    .filter((w) => w.start < durationSec)
    .map((w) => ({
      ...w,
      end: round3(Math.min(w.end, durationSec)),
      confidence: round3(w.confidence),
    }));
  const segments =
    engine.punctuates && merged.segments.length ? merged.segments : segmentsFromPauses(words);
  const detected = chunks.find((c) => c.language)?.language;
  const audible = chunks.reduce((s, c) => s + c.audibleSec, 0);
  let note: string | null = null;
  if (!words.length) {
    note =
      audible < MIN_AUDIBLE_SEC
        ? 'The audio is silent: there is no speech to transcribe.'
        : 'No speech was recognised in the audio.';
  }
  return {
    engine: engine.name,
    model: engine.model,
    modelVersion: engine.modelVersion,
    language: language === 'auto' ? (detected ?? 'auto') : language,
    text: segments.map((s) => s.text).join(engine.punctuates ? ' ' : '\n'),
    words,
    segments: segments.map((s) => ({ ...s, start: round3(s.start), end: round3(s.end) })),
    note,
  };
}

/**
 * Transcribes a whole source (URL or path). Pass an engine that has already
 * been init()-ed (the worker does this at startup) to skip the checks per job.
 */
export async function transcribe(
  input: string,
  media: MediaInfo,
  options: TranscribeOptions,
  hooks: StageHooks = {},
  engine?: TranscriptionEngine,
): Promise<TranscriptResult> {
  const eng = engine ?? createEngine(options);
  if (!engine) await eng.init();
  if (!media.hasAudio) {
    hooks.onProgress?.(1);
    return emptyResult(
      eng,
      options.language,
      'The source has no audio track: nothing to transcribe.',
    );
  }
  const run = await runRange(
    eng,
    input,
    0,
    Infinity,
    { sourceFormat: media.formatName, ...options },
    hooks,
    media.durationSec,
  );
  const result = buildResult(eng, options.language, run.chunks, media.durationSec || Infinity);
  hooks.onProgress?.(1);
  return result;
}

/**
 * Transcribes one part of the timeline, for a worker that got one chunk of a
 * distributed job. Words heard in the overlap around the range are kept, so
 * mergeChunkResults can settle boundary words.
 */
export async function transcribeRange(
  input: string,
  start: number,
  end: number,
  options: TranscribeOptions,
  hooks: StageHooks = {},
  engine?: TranscriptionEngine,
): Promise<ChunkTranscript> {
  const eng = engine ?? createEngine(options);
  if (!engine) await eng.init();
  const run = await runRange(eng, input, start, end, options, hooks);
  const merged = mergeChunkResults(run.chunks);
  return {
    start,
    end,
    words: merged.words,
    segments: merged.segments,
    language: run.chunks.find((c) => c.language)?.language,
    audibleSec: run.chunks.reduce((s, c) => s + c.audibleSec, 0),
  };
}

/**
 * Where a coordinator should cut the source: one decode pass, no engine.
 * Each plan can go to transcribeRange on any worker.
 */
export async function planChunks(
  input: string,
  options: Pick<TranscribeOptions, 'chunkSeconds' | 'overlapSeconds' | 'silenceDb'> &
    Partial<TranscribeOptions>,
  hooks: StageHooks = {},
): Promise<ChunkPlan[]> {
  const opts = { engine: 'pocketsphinx', language: 'en', ...options } as TranscribeOptions;
  const chunker = chunkerFor(opts, 0, 0, Infinity);
  const plans: ChunkPlan[] = [];
  const add = (c: AudioChunk) =>
    plans.push({
      index: c.index,
      start: c.coreStart,
      end: c.coreEnd,
      endsInSilence: c.endsInSilence,
    });
  for await (const samples of pcmFloat32Stream(input, {
    sampleRate: ENGINE_SAMPLE_RATE,
    formatName: options.sourceFormat,
    signal: hooks.signal,
    onCommand: hooks.onCommand,
  })) {
    chunker.push(samples).forEach(add);
  }
  chunker.finish().forEach(add);
  return plans;
}
