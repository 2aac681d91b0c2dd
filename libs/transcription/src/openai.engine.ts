import {
  BadInputError,
  ConfigurationError,
  type TranscriptSegment,
  type TranscriptWord,
} from '@clipline/contracts';
import { wavBytes } from './pcm-encoding';
import {
  ENGINE_SAMPLE_RATE,
  type EngineChunkContext,
  type EngineChunkOutput,
  type TranscriptionEngine,
} from './transcription.types';

export interface OpenAiEngineConfig {
  /** e.g. "https://api.openai.com/v1" or a self-hosted server's ".../v1". */
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs?: number;
}

/** The documented `verbose_json` response of /v1/audio/transcriptions. */
export interface VerboseTranscription {
  language?: string;
  duration?: number;
  text: string;
  words?: Array<{ word: string; start: number; end: number }>;
  segments?: Array<{
    start: number;
    end: number;
    text: string;
    avg_logprob?: number;
    no_speech_prob?: number;
  }>;
}

const LANGUAGE_CODES: Record<string, string> = {
  english: 'en',
  german: 'de',
  french: 'fr',
  spanish: 'es',
  italian: 'it',
  portuguese: 'pt',
  dutch: 'nl',
  polish: 'pl',
  russian: 'ru',
  japanese: 'ja',
  chinese: 'zh',
  korean: 'ko',
};

/**
 * verbose_json gives word times but no word confidence; the containing
 * segment's mean token probability stands in for it.
 */
export function parseVerboseTranscription(body: VerboseTranscription): EngineChunkOutput {
  const segs = body.segments ?? [];
  const confAt = (t: number) => {
    const s = segs.find((x) => t >= x.start && t <= x.end);
    return s?.avg_logprob !== undefined ? Math.exp(Math.min(0, s.avg_logprob)) : 1;
  };
  const words: TranscriptWord[] = (body.words ?? [])
    .filter((w) => w.word.trim())
    .map((w) => ({
      text: w.word.trim(),
      start: w.start,
      end: Math.max(w.end, w.start),
      confidence: confAt((w.start + w.end) / 2),
    }));
  const segments: TranscriptSegment[] = segs
    .filter((s) => s.text.trim() && !((s.no_speech_prob ?? 0) > 0.8 && (s.avg_logprob ?? 0) < -1))
    .map((s) => ({ text: s.text.trim(), start: s.start, end: s.end }));
  const lang = body.language?.toLowerCase();
  return { words, segments, language: lang ? (LANGUAGE_CODES[lang] ?? lang) : undefined };
}

export class OpenAiEngine implements TranscriptionEngine {
  readonly name = 'openai' as const;
  readonly punctuates = true;
  readonly model: string;
  readonly modelVersion: string;

  constructor(private readonly cfg: OpenAiEngineConfig) {
    this.model = cfg.model;
    this.modelVersion = `${cfg.model} via ${new URL(cfg.baseUrl).host}`;
  }

  async init(): Promise<void> {
    if (!/^https?:\/\//.test(this.cfg.baseUrl)) {
      throw new Error(`OpenAI transcription base URL "${this.cfg.baseUrl}" is not an http(s) URL.`);
    }
    if (!this.cfg.apiKey && new URL(this.cfg.baseUrl).host === 'api.openai.com') {
      throw new Error('The openai transcription engine needs OPENAI_API_KEY.');
    }
  }

  async transcribeChunk(pcm: Float32Array, ctx: EngineChunkContext): Promise<EngineChunkOutput> {
    const url = `${this.cfg.baseUrl.replace(/\/+$/, '')}/audio/transcriptions`;
    const form = new FormData();
    form.append(
      'file',
      new Blob([wavBytes(pcm, ENGINE_SAMPLE_RATE)], { type: 'audio/wav' }),
      'chunk.wav',
    );
    form.append('model', this.cfg.model);
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'word');
    form.append('timestamp_granularities[]', 'segment');
    if (ctx.language && ctx.language !== 'auto') form.append('language', ctx.language.slice(0, 2));
    ctx.onCommand?.(
      `POST ${url} (model=${this.cfg.model}, ${(pcm.length / ENGINE_SAMPLE_RATE).toFixed(1)} s wav)`,
    );
    const timeout = AbortSignal.timeout(this.cfg.timeoutMs ?? 300_000);
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
    const res = await fetch(url, {
      method: 'POST',
      body: form,
      headers: this.cfg.apiKey ? { Authorization: `Bearer ${this.cfg.apiKey}` } : {},
      signal,
    });
    const raw = await res.text();
    if (!res.ok) {
      const msg = raw.slice(0, 300);
      // The server decoded our own WAV, so a 400 about the file means the source audio is unusable.
      if (res.status === 400 && /decode|invalid file|audio file/i.test(msg)) {
        throw new BadInputError(`The transcription service rejected the audio: ${msg}`);
      }
      // The key is refused or lacks access: retrying with the same key fails the same way.
      if (res.status === 401 || res.status === 403) {
        throw new ConfigurationError(
          `${url} refused the API key (${res.status}); check OPENAI_API_KEY: ${msg}`,
        );
      }
      throw new Error(`${url} answered ${res.status}: ${msg}`);
    }
    let body: VerboseTranscription;
    try {
      body = JSON.parse(raw) as VerboseTranscription;
    } catch {
      throw new Error(`${url} answered with something that is not JSON: ${raw.slice(0, 120)}`);
    }
    if (typeof body.text !== 'string')
      throw new Error(`${url} answered without a transcription text.`);
    return parseVerboseTranscription(body);
  }
}
