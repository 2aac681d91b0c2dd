import type { MediaInfo } from '@clipline/contracts';

type VideoInfo = NonNullable<MediaInfo['video']>;

/** A probed 640x360 H.264 video stream at 25 fps; `over` replaces any field. */
export const videoStream = (over: Partial<VideoInfo> = {}): VideoInfo => ({
  codec: 'h264',
  width: 640,
  height: 360,
  displayWidth: 640,
  displayHeight: 360,
  rotation: 0,
  fps: 25,
  variableFrameRate: false,
  pixFmt: 'yuv420p',
  bitDepth: 8,
  ...over,
});

/** A 2-minute mp4 with that video and stereo AAC, as probe reports it; `over` replaces any field. */
export const videoMediaInfo = (over: Partial<MediaInfo> = {}): MediaInfo => ({
  durationSec: 120,
  sizeBytes: 1000,
  formatName: 'mp4',
  hasVideo: true,
  hasAudio: true,
  video: videoStream(),
  audio: { codec: 'aac', sampleRate: 48000, channels: 2 },
  ...over,
});

/** The same source without a picture (a podcast): no video stream. */
export const audioMediaInfo = (over: Partial<MediaInfo> = {}): MediaInfo =>
  videoMediaInfo({ hasVideo: false, video: null, ...over });

/** A mono 16 kHz PCM WAV, the shape of the speech fixtures. */
export const wavMediaInfo = (over: Partial<MediaInfo> = {}): MediaInfo =>
  audioMediaInfo({
    formatName: 'wav',
    audio: { codec: 'pcm_s16le', sampleRate: 16000, channels: 1 },
    ...over,
  });
