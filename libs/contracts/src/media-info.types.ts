/** What ffprobe told us about a source, normalised. */
export interface MediaInfo {
  durationSec: number;
  sizeBytes: number | null;
  formatName: string;
  hasVideo: boolean;
  hasAudio: boolean;
  video: null | {
    codec: string;
    /** Coded size, before rotation. */
    width: number;
    height: number;
    /** Size as displayed, after applying rotation metadata. */
    displayWidth: number;
    displayHeight: number;
    /** Clockwise degrees from rotation metadata: 0, 90, 180 or 270. */
    rotation: number;
    fps: number;
    variableFrameRate: boolean;
    pixFmt: string;
    bitDepth: number;
  };
  audio: null | {
    codec: string;
    sampleRate: number;
    channels: number;
  };
}
