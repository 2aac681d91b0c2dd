import type { FrameRate } from './frame-rate';

export type ExportFormat = 'fcpxml' | 'xmeml' | 'edl' | 'otio';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['fcpxml', 'xmeml', 'edl', 'otio'];

/** The source the editor relinks to, by file name. */
export interface ExportSource {
  fileName: string;
  width: number;
  height: number;
  rate: FrameRate;
  durationFrames: number;
  hasVideo: boolean;
  hasAudio: boolean;
  /** Hz, or null without audio. */
  audioRate: number | null;
  audioChannels: number;
}

/** One kept piece of the source, in source frames: [sourceIn, sourceOut). */
export interface CutEvent {
  sourceIn: number;
  sourceOut: number;
}

/**
 * Where the crop window sits at one frame of the clip's timeline (after jump
 * cuts): its top-left corner in source pixels. Editors interpolate linearly
 * between keyframes.
 */
export interface CropKeyframe {
  frame: number;
  x: number;
  y: number;
}

export interface CropTrack {
  /** Window size in source pixels; fixed for the clip, as in the render. */
  w: number;
  h: number;
  keyframes: CropKeyframe[];
}

/** A caption cue on the clip's timeline, in frames: [start, end). */
export interface CaptionCue {
  start: number;
  end: number;
  text: string;
}

export interface ExportClip {
  name: string;
  /** Output frame (the sequence), e.g. 1080x1920. */
  width: number;
  height: number;
  cuts: CutEvent[];
  crop: CropTrack | null;
  captions: CaptionCue[];
}

export interface ExportDocument {
  title: string;
  source: ExportSource;
  clips: ExportClip[];
}

/** Position and scale of the source in the output frame for one keyframe. */
export interface Placement {
  /** Uniform scale of the source (1 = native pixels). */
  scale: number;
  /** Offset of the source's centre from the frame's centre, output pixels, y down. */
  dx: number;
  dy: number;
}
