import type { CropPlan, MediaInfo, SilenceRegion, TranscriptWord } from '@clipline/contracts';
import { exportSourceOf, fpsOf, type ExportSource, type FrameRate } from '@clipline/export';
import { videoMediaInfo, videoStream } from './media.factory';

/** A 1920x1080 talk at any rate, with a silence and a music bed inside the clip at 10–40 s. */
export const media = (fps: number): MediaInfo =>
  videoMediaInfo({
    durationSec: 600,
    sizeBytes: null,
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    video: videoStream({ width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, fps }),
  });

export const silences: SilenceRegion[] = [
  { kind: 'silence', start: 15, end: 17, meanDb: -60 },
  { kind: 'non_speech', start: 25, end: 26.6, meanDb: -40 },
];
export const words: TranscriptWord[] = [
  { text: 'So', start: 10.2, end: 10.5, confidence: 0.9 },
  { text: 'here', start: 10.5, end: 11, confidence: 0.9 },
  { text: 'we', start: 17.2, end: 17.5, confidence: 0.9 },
  { text: 'go', start: 17.5, end: 18, confidence: 0.9 },
  { text: 'again', start: 27, end: 27.6, confidence: 0.9 },
];

/** Two scenes; inside each the face moves on a straight line, so simplification keeps it exact. */
export const plan: CropPlan = {
  aspect: '9:16',
  sourceWidth: 1920,
  sourceHeight: 1080,
  scenes: [
    {
      sceneIndex: 0,
      start: 0,
      end: 21.3,
      keyframes: [
        { t: 10, x: 100, y: 0, w: 607.5, h: 1080 },
        { t: 15, x: 350, y: 0, w: 607.5, h: 1080 },
        { t: 20, x: 600, y: 0, w: 607.5, h: 1080 },
      ],
    },
    {
      sceneIndex: 1,
      start: 21.3,
      end: 60,
      keyframes: [
        { t: 21.3, x: 1250, y: 0, w: 607.5, h: 1080 },
        { t: 40, x: 1000, y: 0, w: 607.5, h: 1080 },
      ],
    },
  ],
};

export function sourceAt(rate: FrameRate): ExportSource {
  return exportSourceOf(media(fpsOf(rate)), 'my talk.mp4');
}

export const clipInput = (source: ExportSource) => ({
  name: 'Clip 1',
  source,
  start: 10,
  end: 40,
  aspect: '9:16' as const,
  words,
  silences,
  removeSilence: true,
  cropPlan: plan,
  cutPaddingSec: 0.2,
});
