import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GrowableFloat32 } from './level-meter';

/** Silero v5/v6 at 16 kHz: 512 new samples per step plus the previous 64 as context. */
export const VAD_SAMPLE_RATE = 16000;
export const VAD_FRAME = 512;
const CONTEXT = 64;
export const VAD_FRAME_SEC = VAD_FRAME / VAD_SAMPLE_RATE;

let sileroOverride: string | undefined;

/** SILERO_VAD_MODEL from the process's validated config (stage libs never read the environment). */
export function useSileroModel(path: string | undefined): void {
  sileroOverride = path || undefined;
}

export function sileroModelPath(): string {
  if (sileroOverride) return sileroOverride;
  return join(
    dirname(require.resolve('@ricky0123/vad-web/package.json')),
    'dist',
    'silero_vad_v6.onnx',
  );
}

export interface VadEngineOptions {
  modelPath?: string;
  /** Independent lanes run as one batch; each lane covers laneFrames of a block. */
  lanes?: number;
  laneFrames?: number;
  /** Frames of real preceding audio each lane runs before its own, to warm the recurrent state. */
  warmupFrames?: number;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/**
 * One session per process: creating it costs ~50 ms and it is stateless
 * between runs (state is an input). One intra-op thread, because the graph's
 * ops are tiny and thread hand-off costs more than it saves; the second core
 * is left to the ffmpeg decoder that feeds us.
 */
function sessionFor(path: string): Promise<ort.InferenceSession> {
  let s = sessions.get(path);
  if (!s) {
    s = ort.InferenceSession.create(path, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    s.catch(() => sessions.delete(path));
    sessions.set(path, s);
  }
  return s;
}

/**
 * Streaming Silero VAD that batches across time. A single recurrent stream
 * runs at ~75× real time because each 32 ms step is one tiny native call; so
 * audio is gathered into blocks of `lanes × laneFrames` frames and each lane
 * runs one contiguous slice of the block with its own state, all lanes in one
 * batched call per step. Each lane first replays `warmupFrames` of the audio
 * just before its slice (outputs discarded), so its state is warm where its
 * results start. Memory is one block (~8 MB by default), whatever the duration.
 */
export class SileroVad {
  readonly probs: GrowableFloat32;
  private readonly lanes: number;
  private readonly laneFrames: number;
  private readonly warm: number;
  private readonly history: number;
  private readonly buf: Float32Array;
  private fill = 0;
  private blockFrame0 = 0;
  private totalSamples = 0;
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);

  private constructor(
    private readonly session: ort.InferenceSession,
    opts: VadEngineOptions,
    expectedDurationSec: number,
  ) {
    this.lanes = Math.max(1, opts.lanes ?? 32);
    this.laneFrames = Math.max(8, opts.laneFrames ?? 125);
    this.warm = Math.max(0, opts.warmupFrames ?? 16);
    this.history = this.warm * VAD_FRAME + CONTEXT;
    this.buf = new Float32Array(this.history + this.lanes * this.laneFrames * VAD_FRAME);
    this.probs = new GrowableFloat32(expectedDurationSec / VAD_FRAME_SEC + 64);
  }

  static async create(opts: VadEngineOptions = {}, expectedDurationSec = 0): Promise<SileroVad> {
    const session = await sessionFor(opts.modelPath ?? sileroModelPath());
    return new SileroVad(session, opts, expectedDurationSec);
  }

  /** Frames (32 ms) the audio pushed so far spans, a partial last frame included. */
  get frameCount(): number {
    return Math.ceil(this.totalSamples / VAD_FRAME);
  }

  /** Feeds 16 kHz mono PCM; runs the model whenever a block is full. */
  async push(pcm: Float32Array, signal?: AbortSignal): Promise<void> {
    let off = 0;
    const blockEnd = this.buf.length;
    while (off < pcm.length) {
      const n = Math.min(pcm.length - off, blockEnd - (this.history + this.fill));
      this.buf.set(pcm.subarray(off, off + n), this.history + this.fill);
      this.fill += n;
      off += n;
      this.totalSamples += n;
      if (this.history + this.fill === blockEnd) await this.runBlock(signal);
    }
  }

  /** Runs the partial last block; afterwards `probs` holds one probability per frame. */
  async finish(signal?: AbortSignal): Promise<Float32Array> {
    if (this.fill > 0) await this.runBlock(signal);
    return this.probs.view().subarray(0, this.frameCount);
  }

  private async runBlock(signal?: AbortSignal): Promise<void> {
    const framesInBlock = Math.ceil(this.fill / VAD_FRAME);
    // Zero the unfilled tail so a partial last frame is padded with silence.
    this.buf.fill(0, this.history + this.fill);
    const activeLanes = Math.ceil(framesInBlock / this.laneFrames);
    const steps = this.warm + Math.min(this.laneFrames, framesInBlock);
    const width = CONTEXT + VAD_FRAME;
    const input = new Float32Array(activeLanes * width);
    const inputTensor = new ort.Tensor('float32', input, [activeLanes, width]);
    let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * activeLanes * 128), [
      2,
      activeLanes,
      128,
    ]);
    const laneStride = this.laneFrames * VAD_FRAME;
    for (let s = 0; s < steps; s++) {
      if (signal?.aborted) throw new Error('silence detection aborted');
      for (let j = 0; j < activeLanes; j++) {
        // Row j = context + frame (s − warm) of lane j; index 0 of buf is
        // history, so the warm-up reaches back into the previous block's tail.
        const from = j * laneStride + s * VAD_FRAME;
        input.set(this.buf.subarray(from, from + width), j * width);
      }
      // run() is synchronous native work behind a setImmediate, so the event
      // loop gets a turn between steps (~4 ms each at 32 lanes).
      const out = await this.session.run({ input: inputTensor, state, sr: this.sr });
      state.dispose?.();
      state = out.stateN;
      const p = out.output.data as Float32Array;
      const f = s - this.warm;
      if (f >= 0) {
        for (let j = 0; j < activeLanes; j++) {
          const local = j * this.laneFrames + f;
          if (local < framesInBlock) this.probs.set(this.blockFrame0 + local, p[j]);
        }
      }
      out.output.dispose?.();
    }
    state.dispose?.();
    // Keep the block's tail as history: warm-up audio and context for the next block.
    this.buf.copyWithin(0, this.buf.length - this.history);
    this.blockFrame0 += framesInBlock;
    this.fill = 0;
  }
}
