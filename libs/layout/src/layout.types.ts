import type { Aspect, LayoutResult } from '@clipline/contracts';
import type { FaceDetector } from './face.detector';

/**
 * How much of the video the decoder works through:
 * - `keyframes`: only I-frames (`-skip_frame nokey`); frames carry their real
 *   timestamps and the sampling rate is the source's keyframe rate;
 * - `noref`: skips non-reference frames (`-skip_frame noref`), then samples `fps`;
 * - `all`: decodes every frame, then samples `fps`, with exact sample times.
 */
export type DecodeMode = 'keyframes' | 'noref' | 'all';

export interface SmoothingOptions {
  /** Face-centre offset (fraction of source width/height) the window ignores. Default 0.04. */
  deadZone?: number;
  /** Fastest pan, in fractions of the source width (or height) per second. Default 0.35. */
  maxPanPerSec?: number;
  /** Shortest stay on one face before the window may switch to another (seconds); unset: none beyond the one-second lead. */
  minHoldSec?: number;
}

export interface SceneCutOptions {
  /** Distances below this are never cuts, whatever the local statistics. Default 0.22. */
  floor?: number;
  /** A cut must exceed median + k * MAD of the recent distances. Default 6. */
  k?: number;
  /** How many previous frame distances the adaptive threshold looks at. Default 20. */
  window?: number;
  /** Shortest scene in seconds; closer cuts are dropped as flashes. Default 1. */
  minSceneSec?: number;
}

export interface LayoutOptions {
  aspects: Aspect[];
  /** Where ultraface/version-RFB-320.onnx lives; ignored when `detector` is given. */
  modelDir?: string;
  /**
   * A detector created once at worker startup and reused across jobs; `null`
   * when the face model is missing: crops are then centred, with a note.
   */
  detector?: FaceDetector | null;
  /** Frames analysed per second in `all`/`noref` decoding. Default 2. */
  sampleFps?: number;
  /**
   * `auto` (default): key frames only when the source's key frames are at most
   * `maxKeyframeGapSec` apart (a quick ffprobe of the first 30 s of the range
   * decides), otherwise `noref` at `sampleFps`. See DecodeMode.
   */
  decode?: DecodeMode | 'auto';
  /** Longest key-frame spacing `auto` accepts for key-frame sampling. Default 4 s. */
  maxKeyframeGapSec?: number;
  /** Analysis frames fit inside analysisWidth x analysisWidth*3/4. Default 320 (the model's input). */
  analysisWidth?: number;
  /** Analyse only [startSec, endSec) so several workers can share one long source. */
  startSec?: number;
  endSec?: number;
  /** ffmpeg decode threads. Default 2. */
  threads?: number;
  /** Minimum face probability. Default 0.7. */
  faceThreshold?: number;
  sceneCut?: SceneCutOptions;
  smoothing?: SmoothingOptions;
}

/** Everything a layout stage needs about one sampled frame. */
export interface SampledFrame {
  index: number;
  t: number;
  width: number;
  height: number;
  /** Packed RGB24, width*height*3 bytes. */
  rgb: Buffer;
}

/** LayoutResult plus how it was sampled, so a plan can be judged (and re-run) knowingly. */
export interface LayoutAnalysis extends LayoutResult {
  decode: DecodeMode;
  /** Source times of the analysed frames, in order. */
  sampleTimes: number[];
}
