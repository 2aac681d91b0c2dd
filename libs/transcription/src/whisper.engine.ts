import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TranscriptSegment, TranscriptWord } from '@clipline/contracts';
import { ModelMissingError, resolveModel, type ModelFile } from '@clipline/media';
import { logMelSpectrogram, WHISPER_FRAMES, WHISPER_N_MELS } from './whisper-features';
import { DEFAULT_WHISPER_MODEL, WHISPER_MODELS, type WhisperModelSpec } from './whisper-models';
import type {
  EngineChunkContext,
  EngineChunkOutput,
  TranscriptionEngine,
} from './transcription.types';

type Ort = typeof import('onnxruntime-node');

/** GPT-2 byte-level BPE: each byte is shown as a printable unicode character. */
function byteDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let i = 33; i <= 126; i++) bs.push(i);
  for (let i = 161; i <= 172; i++) bs.push(i);
  for (let i = 174; i <= 255; i++) bs.push(i);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [String.fromCharCode(cs[i]), b]));
}

/** Decode-only view of a Hugging Face tokenizer.json for Whisper. */
export class WhisperTokenizer {
  private readonly idToToken = new Map<number, string>();
  private readonly special = new Map<string, number>();
  private readonly bytes = byteDecoder();

  constructor(json: {
    model: { vocab: Record<string, number> };
    added_tokens?: Array<{ id: number; content: string }>;
  }) {
    for (const [tok, id] of Object.entries(json.model.vocab)) this.idToToken.set(id, tok);
    for (const t of json.added_tokens ?? []) {
      this.idToToken.set(t.id, t.content);
      this.special.set(t.content, t.id);
    }
  }

  id(content: string): number {
    const id = this.special.get(content);
    if (id === undefined) throw new Error(`tokenizer has no special token ${content}`);
    return id;
  }

  has(content: string): boolean {
    return this.special.has(content);
  }

  decode(ids: number[]): string {
    const out: number[] = [];
    for (const id of ids) {
      for (const ch of this.idToToken.get(id) ?? '') {
        const b = this.bytes.get(ch);
        if (b !== undefined) out.push(b);
      }
    }
    return Buffer.from(out).toString('utf8');
  }
}

export interface WhisperEngineConfig {
  modelDir: string;
  model?: string;
  maxTokens?: number;
}

/**
 * Greedy Whisper decoding with timestamp tokens on onnxruntime-node. Word
 * times are spread over each timestamped segment by character count: good to
 * the segment, approximate within it (no cross-attention alignment).
 */
export class WhisperEngine implements TranscriptionEngine {
  readonly name = 'whisper' as const;
  readonly punctuates = true;
  /** Whisper sees 30 s windows; chunks (with overlap) must fit in one. */
  readonly maxChunkSec = 26;
  readonly model: string;
  readonly modelVersion: string;
  private readonly spec: WhisperModelSpec;
  private ort: Ort | null = null;
  private encoder: import('onnxruntime-node').InferenceSession | null = null;
  private decoder: import('onnxruntime-node').InferenceSession | null = null;
  private tok: WhisperTokenizer | null = null;

  constructor(private readonly cfg: WhisperEngineConfig) {
    const name = cfg.model ?? DEFAULT_WHISPER_MODEL;
    const spec = WHISPER_MODELS[name];
    if (!spec)
      throw new Error(
        `Unknown whisper model "${name}"; known: ${Object.keys(WHISPER_MODELS).join(', ')}`,
      );
    this.spec = spec;
    this.model = name;
    this.modelVersion = `${name} onnx (onnxruntime-node)`;
  }

  private async locate(file: ModelFile): Promise<string> {
    if (!this.cfg.modelDir)
      throw new ModelMissingError('The whisper engine needs MODEL_DIR to be set.');
    // An unpinned manifest entry can only be checked for presence (see whisper-models.ts).
    if (!file.sha256) {
      const full = join(this.cfg.modelDir, file.path);
      if (!existsSync(full)) {
        throw new ModelMissingError(
          `Whisper model file ${file.path} not found in MODEL_DIR=${this.cfg.modelDir}. Run \`npm run models:pull\` on a machine with internet.`,
        );
      }
      return full;
    }
    return resolveModel(this.cfg.modelDir, file);
  }

  async init(): Promise<void> {
    const [enc, dec, tok] = [
      await this.locate(this.spec.encoder),
      await this.locate(this.spec.decoder),
      await this.locate(this.spec.tokenizer),
    ];
    this.ort = await import('onnxruntime-node');
    const opts = { intraOpNumThreads: 1, executionMode: 'sequential' as const };
    this.encoder = await this.ort.InferenceSession.create(enc, opts);
    this.decoder = await this.ort.InferenceSession.create(dec, opts);
    this.tok = new WhisperTokenizer(JSON.parse(readFileSync(tok, 'utf8')));
  }

  async transcribeChunk(pcm: Float32Array, ctx: EngineChunkContext): Promise<EngineChunkOutput> {
    if (!this.ort || !this.encoder || !this.decoder || !this.tok)
      throw new Error('WhisperEngine.init() was not called');
    const ort = this.ort;
    const tok = this.tok;
    const mel = await logMelSpectrogram(pcm);
    const encOut = await this.encoder.run({
      [this.encoder.inputNames[0]]: new ort.Tensor('float32', mel, [
        1,
        WHISPER_N_MELS,
        WHISPER_FRAMES,
      ]),
    });
    const hidden = encOut[this.encoder.outputNames[0]];
    const eot = tok.id('<|endoftext|>');
    const tsBegin = tok.id('<|notimestamps|>') + 1;
    const prompt = [tok.id('<|startoftranscript|>')];
    if (!this.spec.english) {
      const lang = ctx.language === 'auto' ? 'en' : ctx.language.slice(0, 2);
      if (tok.has(`<|${lang}|>`)) prompt.push(tok.id(`<|${lang}|>`));
      prompt.push(tok.id('<|transcribe|>'));
    }
    const tokens = [...prompt];
    const logprobs: number[] = [];
    let lastTime = -1;
    const maxTokens = this.cfg.maxTokens ?? 224;
    const idsName =
      this.decoder.inputNames.find((n) => /input_ids/.test(n)) ?? this.decoder.inputNames[0];
    const encName =
      this.decoder.inputNames.find((n) => /encoder_hidden_states/.test(n)) ??
      this.decoder.inputNames[1];
    while (tokens.length - prompt.length < maxTokens) {
      if (ctx.signal?.aborted) throw new Error('whisper aborted');
      const ids = new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [
        1,
        tokens.length,
      ]);
      const out = await this.decoder.run({ [idsName]: ids, [encName]: hidden });
      const logits = out[this.decoder.outputNames[0]];
      const vocab = logits.dims[2];
      const data = logits.data as Float32Array;
      const row = data.subarray((tokens.length - 1) * vocab, tokens.length * vocab);
      // Whisper's timestamp rules (ApplyTimestampRules): the first token is a timestamp;
      // timestamps come in pairs, one closing a segment and one opening the next; they
      // never decrease, and a segment cannot end where it began, else a model can loop on
      // empty segments or close a segment before its start (which toOutput would drop).
      const sampled = tokens.length - prompt.length;
      const lastTs = sampled >= 1 && tokens[tokens.length - 1] >= tsBegin;
      const penultTs = sampled < 2 || tokens[tokens.length - 2] >= tsBegin;
      const mustTs = sampled === 0;
      const noTs = lastTs && penultTs;
      const noText = lastTs && !penultTs;
      const minTs = lastTime < 0 ? tsBegin : noText ? lastTime : lastTime + 1;
      let best = -1;
      let bestV = -Infinity;
      let max = -Infinity;
      for (let i = 0; i < vocab; i++) if (row[i] > max) max = row[i];
      let sum = 0;
      for (let i = 0; i < vocab; i++) sum += Math.exp(row[i] - max);
      for (let i = 0; i < vocab; i++) {
        if (mustTs && i < tsBegin) continue;
        if (i > eot && i < tsBegin) continue;
        if (noTs && i >= tsBegin) continue;
        if (noText && i < eot) continue;
        if (i >= tsBegin && i < minTs) continue;
        if (row[i] > bestV) {
          bestV = row[i];
          best = i;
        }
      }
      logprobs.push(bestV - max - Math.log(sum));
      tokens.push(best);
      if (best >= tsBegin) lastTime = best;
      if (best === eot) break;
    }
    return this.toOutput(tokens.slice(prompt.length), logprobs, tsBegin, eot, pcm.length / 16000);
  }

  private toOutput(
    ids: number[],
    lps: number[],
    tsBegin: number,
    eot: number,
    dur: number,
  ): EngineChunkOutput {
    const segments: TranscriptSegment[] = [];
    const words: TranscriptWord[] = [];
    let segStart = 0;
    let text: number[] = [];
    let textLp: number[] = [];
    const close = (end: number) => {
      const t = this.tok!.decode(text).trim();
      if (t && end > segStart) {
        segments.push({ text: t, start: segStart, end });
        const conf = Math.exp(textLp.reduce((a, b) => a + b, 0) / Math.max(1, textLp.length));
        const parts = t.split(/\s+/);
        const chars = parts.reduce((a, p) => a + p.length, 0);
        let at = segStart;
        for (const p of parts) {
          const d = ((end - segStart) * p.length) / chars;
          words.push({ text: p, start: at, end: at + d, confidence: conf });
          at += d;
        }
      }
      text = [];
      textLp = [];
    };
    ids.forEach((id, i) => {
      if (id === eot) return;
      if (id >= tsBegin) {
        const t = Math.min(dur, (id - tsBegin) * 0.02);
        if (text.length) close(t);
        segStart = t;
      } else {
        text.push(id);
        textLp.push(lps[i]);
      }
    });
    if (text.length) close(dur);
    return { words, segments, language: this.spec.english ? 'en' : undefined };
  }
}
