import * as ort from 'onnxruntime-node';
import type { FaceBox } from '@clipline/contracts';
import { resolveModel } from '@clipline/media';
import { ULTRAFACE_INPUT, ULTRAFACE_MODEL } from './ultraface.model';

export interface RgbImage {
  width: number;
  height: number;
  /** Packed RGB24. */
  rgb: Buffer;
}

export interface FaceDetector {
  /** Faces in `image`, boxes normalised 0..1 to the image, best first. */
  detect(image: RgbImage, threshold?: number): Promise<FaceBox[]>;
  release(): Promise<void>;
}

export interface FaceDetectorOptions {
  /** onnxruntime intra-op threads; 1 leaves the other core to ffmpeg's decoder. */
  threads?: number;
  nmsIou?: number;
}

export function iou(a: FaceBox, b: FaceBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.w, b.x + b.w);
  const y1 = Math.min(a.y + a.h, b.y + b.h);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

export function nms(boxes: FaceBox[], maxIou: number): FaceBox[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: FaceBox[] = [];
  for (const b of sorted) if (kept.every((k) => iou(k, b) <= maxIou)) kept.push(b);
  return kept;
}

/**
 * Letterboxes the image into the model's 320x240 input (centred, padded with
 * zeros after normalisation) so faces keep their shape; returns the mapping
 * back to image coordinates.
 */
export function toModelInput(
  image: RgbImage,
  out: Float32Array,
): { scale: number; padX: number; padY: number } {
  const { width: W, height: H } = ULTRAFACE_INPUT;
  const scale = Math.min(W / image.width, H / image.height);
  const sw = Math.max(1, Math.round(image.width * scale));
  const sh = Math.max(1, Math.round(image.height * scale));
  const padX = Math.floor((W - sw) / 2);
  const padY = Math.floor((H - sh) / 2);
  out.fill(0);
  const plane = W * H;
  for (let y = 0; y < sh; y++) {
    const srcY = Math.min(image.height - 1, Math.floor(y / scale));
    const rowOut = (y + padY) * W + padX;
    const rowIn = srcY * image.width;
    for (let x = 0; x < sw; x++) {
      const srcX = Math.min(image.width - 1, Math.floor(x / scale));
      const i = (rowIn + srcX) * 3;
      const o = rowOut + x;
      out[o] = (image.rgb[i] - 127) / 128;
      out[plane + o] = (image.rgb[i + 1] - 127) / 128;
      out[2 * plane + o] = (image.rgb[i + 2] - 127) / 128;
    }
  }
  return { scale: sw / image.width, padX, padY };
}

/**
 * Loads UltraFace RFB-320 once (checking its sha256); the detector is meant to
 * be created at worker startup and shared by every job the worker runs.
 */
export async function createFaceDetector(
  modelDir: string,
  opts: FaceDetectorOptions = {},
): Promise<FaceDetector> {
  const modelPath = await resolveModel(modelDir, ULTRAFACE_MODEL);
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The upstream export lists its weights as graph inputs, which only earns a wall of warnings.
    logSeverityLevel: 3,
  });
  const nmsIou = opts.nmsIou ?? 0.3;
  const { width: W, height: H } = ULTRAFACE_INPUT;
  const input = new Float32Array(3 * W * H);
  // onnxruntime runs are async; two overlapping calls would share `input`, so they queue.
  let queue: Promise<unknown> = Promise.resolve();

  async function detectNow(image: RgbImage, threshold: number): Promise<FaceBox[]> {
    const map = toModelInput(image, input);
    const tensor = new ort.Tensor('float32', input, [1, 3, H, W]);
    const out = await session.run({ [session.inputNames[0]]: tensor });
    const scores = out.scores.data as Float32Array;
    const boxes = out.boxes.data as Float32Array;
    const raw: FaceBox[] = [];
    const n = scores.length / 2;
    for (let i = 0; i < n; i++) {
      const score = scores[i * 2 + 1];
      if (score < threshold) continue;
      // Model coordinates -> image pixels -> 0..1 of the image.
      const x0 = (boxes[i * 4] * W - map.padX) / map.scale / image.width;
      const y0 = (boxes[i * 4 + 1] * H - map.padY) / map.scale / image.height;
      const x1 = (boxes[i * 4 + 2] * W - map.padX) / map.scale / image.width;
      const y1 = (boxes[i * 4 + 3] * H - map.padY) / map.scale / image.height;
      const cx0 = Math.max(0, Math.min(1, x0));
      const cy0 = Math.max(0, Math.min(1, y0));
      const cx1 = Math.max(0, Math.min(1, x1));
      const cy1 = Math.max(0, Math.min(1, y1));
      if (cx1 - cx0 <= 0 || cy1 - cy0 <= 0) continue;
      raw.push({ x: cx0, y: cy0, w: cx1 - cx0, h: cy1 - cy0, score });
    }
    return nms(raw, nmsIou);
  }

  return {
    detect(image, threshold = 0.7) {
      const run = queue.then(() => detectNow(image, threshold));
      queue = run.catch(() => undefined);
      return run;
    },
    async release() {
      await session.release();
    },
  };
}
