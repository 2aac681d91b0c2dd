import type {
  Aspect,
  ClipLayoutChoice,
  CropPlan,
  FaceTrack,
  MediaInfo,
  ResolvedClipLook,
  SilenceRegion,
  TranscriptWord,
} from '@clipline/contracts';

export interface RenderOptions {
  /** x264 preset; `veryfast` keeps a 1080x1920 clip above 1.5x real time on 2 cores. */
  preset?: string;
  crf?: number;
  /** Integrated loudness target in LUFS (EBU R128). */
  loudnessTarget?: number;
  /** Background for audio-only sources: ffmpeg colour name or 0xRRGGBB. */
  backgroundColor?: string;
  /** Waveform colour of audiograms (audio-only sources), as backgroundColor. */
  waveColor?: string;
  /** Folder with the caption font; defaults to the font bundled with this lib. */
  fontsDir?: string;
  /** Output frame rate; the output is always constant frame rate. */
  fps?: number;
  /** Jump cuts: silences at least this long are shortened (seconds). */
  minSilenceSec?: number;
  /** Jump cuts: silence kept on each side of a cut, so speech is not clipped (seconds). */
  cutPaddingSec?: number;
  /** Encoder threads; default: three per CPU, at most 8. */
  threads?: number;
}

export interface RenderRequest {
  /** Presigned URL or local path of the source. */
  sourceUrl: string;
  media: MediaInfo;
  /** Clip bounds in source seconds. */
  start: number;
  end: number;
  aspect: Aspect;
  /** Words in source time; those outside the clip are ignored. */
  words: TranscriptWord[];
  /** Silences in source time, used for jump cuts. */
  silences: SilenceRegion[];
  removeSilence: boolean;
  captions: boolean;
  /** null: centred crop (or the audiogram for audio-only sources). */
  cropPlan: CropPlan | null;
  /**
   * Shown at the top of an audiogram (audio-only sources), e.g. from
   * titleFromFilename; any text is accepted and made safe (cleanTitle).
   */
  title?: string | null;
  /** Caption style, layout options and hook title; absent: DEFAULT_CLIP_LOOK (today's look). */
  look?: ResolvedClipLook;
  /** The layout to use (see chooseLayout); absent: follow-face, or the audiogram without video. */
  layout?: ClipLayoutChoice;
  /** Stored face tracks (source time), for a split screen's two windows. */
  faceTracks?: FaceTrack[];
  /** Normalised words (see keywordNorm) the keyword highlight colours besides numbers. */
  keywords?: string[];
  /** A folder the caller owns; every file is written inside it (see withWorkDir). */
  workDir: string;
  options?: RenderOptions;
}

export interface RenderResult {
  videoPath: string;
  thumbnailPath: string;
  vttPath: string;
  srtPath: string;
  assPath: string;
  /** Planned output duration in seconds, after jump cuts. */
  durationSec: number;
  width: number;
  height: number;
  /** Source ranges (seconds) that made it into the clip, in order. */
  keptRanges: Array<[number, number]>;
}

/** A word placed on the output timeline (clip-relative seconds, after jump cuts). */
export interface TimedWord {
  text: string;
  start: number;
  end: number;
}
