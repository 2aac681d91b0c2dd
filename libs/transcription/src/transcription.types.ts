import type { TranscriptSegment, TranscriptWord } from '@clipline/contracts';

export type EngineName = 'pocketsphinx' | 'openai' | 'whisper';

/** The sample rate every engine receives; all three are trained on 16 kHz audio. */
export const ENGINE_SAMPLE_RATE = 16000;

export interface TranscribeOptions {
  engine: EngineName;
  /** "en", "auto", ... */
  language: string;
  /** Folder with whisper ONNX files (defaults to MODEL_DIR). */
  modelDir?: string;
  /** Whisper export to use, a key of WHISPER_MODELS (default "whisper-base.en"). */
  whisperModel?: string;
  openaiBaseUrl?: string;
  openaiApiKey?: string;
  openaiModel?: string;
  /** Chunks transcribed at once (default: CPU cores). */
  concurrency?: number;
  /** Target chunk length; cuts are made at the quietest point within ±33% of it (default 45). */
  chunkSeconds?: number;
  /** Audio decoded on each side of a cut that falls in speech, so boundary words are heard whole (default 1). */
  overlapSeconds?: number;
  /** Frames below this RMS level count as silence (default -45 dBFS). */
  silenceDb?: number;
  /** Words the engine is less sure of than this are dropped (default 0). */
  minConfidence?: number;
  /** Extra pocketsphinx_continuous arguments, e.g. speed/accuracy trade-offs. */
  pocketsphinxArgs?: string[];
  /** The probe's `format_name` of the source (MediaInfo.formatName), so ffmpeg uses that demuxer. */
  sourceFormat?: string | null;
}

/** What an engine says about one chunk; times are seconds from the chunk's first sample. */
export interface EngineChunkOutput {
  words: TranscriptWord[];
  /** Engines with punctuation give segments; others leave this empty and pauses decide. */
  segments: TranscriptSegment[];
  /** Language the engine detected or used, if it says. */
  language?: string;
}

export interface EngineChunkContext {
  language: string;
  signal?: AbortSignal;
  onCommand?: (commandLine: string) => void;
}

export interface TranscriptionEngine {
  readonly name: EngineName;
  readonly model: string;
  readonly modelVersion: string;
  /** Whether segments carry the engine's punctuation (else they are built from pauses). */
  readonly punctuates: boolean;
  /** Longest chunk (with overlap) the engine accepts, e.g. Whisper's 30 s window. */
  readonly maxChunkSec?: number;
  /** Checks binaries/models/config; fails clearly at worker startup rather than mid-job. */
  init(): Promise<void>;
  /** `pcm` is mono float32 at ENGINE_SAMPLE_RATE. */
  transcribeChunk(pcm: Float32Array, ctx: EngineChunkContext): Promise<EngineChunkOutput>;
  dispose?(): Promise<void>;
}

/** A piece of the timeline one worker can transcribe on its own. */
export interface ChunkPlan {
  index: number;
  /** The chunk's own part of the timeline, seconds; consecutive chunks share their boundary. */
  start: number;
  end: number;
  /** Whether the cut at `end` fell in silence (no overlap needed there). */
  endsInSilence: boolean;
}

/** The words one chunk (or one range) produced, in source seconds, untrimmed. */
export interface ChunkTranscript {
  start: number;
  end: number;
  words: TranscriptWord[];
  segments: TranscriptSegment[];
  language?: string;
  /** Seconds of audio that had any sound at all. */
  audibleSec: number;
}
