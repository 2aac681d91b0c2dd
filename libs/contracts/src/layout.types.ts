import type { Aspect } from './job-options';

export interface FaceBox {
  /** Normalised 0..1 in the displayed (rotation-corrected) frame. */
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

export interface FaceTrack {
  id: number;
  sceneIndex: number;
  /** One entry per sampled frame where the face was seen. */
  points: Array<{ t: number } & FaceBox>;
  /**
   * Mouth movement (0..1) per point, so the renderer can re-plan who the crop
   * follows; absent in analyses stored before it was kept.
   */
  activity?: number[];
}

export interface Scene {
  index: number;
  start: number;
  end: number;
}

/** A crop window in source pixels (displayed orientation), keyed by time. */
export interface CropKeyframe {
  t: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface CropPlan {
  aspect: Aspect;
  sourceWidth: number;
  sourceHeight: number;
  /** Piecewise per scene; within a scene the renderer interpolates linearly. */
  scenes: Array<{ sceneIndex: number; start: number; end: number; keyframes: CropKeyframe[] }>;
}

export interface LayoutResult {
  sampleFps: number;
  frameCount: number;
  scenes: Scene[];
  sceneCuts: number[];
  faceTracks: FaceTrack[];
  cropPlans: CropPlan[];
  note: string | null;
}
