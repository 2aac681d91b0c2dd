import type { CropPlan, FaceTrack, MediaInfo } from '@clipline/contracts';
import { planClipLook, type StoredAnalysis } from './clip-look.plan';

const media = {
  durationSec: 10,
  hasVideo: true,
  hasAudio: true,
  video: { displayWidth: 1280, displayHeight: 720 },
} as unknown as MediaInfo;

const track: FaceTrack = {
  id: 1,
  sceneIndex: 0,
  points: Array.from({ length: 20 }, (_, i) => ({
    t: i / 2,
    x: 0.1 + i * 0.02,
    y: 0.2,
    w: 0.1,
    h: 0.2,
    score: 0.9,
  })),
};
const stored: CropPlan = {
  aspect: '9:16',
  sourceWidth: 1280,
  sourceHeight: 720,
  scenes: [{ sceneIndex: 0, start: 0, end: 10, keyframes: [{ t: 0, x: 7, y: 0, w: 404, h: 720 }] }],
};
const analysis: StoredAnalysis = {
  scenes: [{ index: 0, start: 0, end: 10 }],
  faceTracks: [track],
  frameCount: 20,
  cropPlans: [stored],
};
const words = ['Three', 'secret', 'mistakes', 'you', 'make', 'in', '2024!'].map((text) => ({
  text,
}));

describe('planClipLook', () => {
  it('with the default look keeps the layout stage’s crop plan as it is (ops edits included)', () => {
    const p = planClipLook({ media, aspect: '9:16', start: 0, end: 10, words, analysis });
    expect(p.layout.mode).toBe('follow-face');
    expect(p.cropPlan).toBe(stored);
  });

  it('re-plans from the face tracks when the look sets its own smoothing or hold time', () => {
    const p = planClipLook({
      clipLook: { layout: { minHoldSeconds: 4 } },
      media,
      aspect: '9:16',
      start: 0,
      end: 10,
      words,
      analysis,
    });
    expect(p.cropPlan).not.toBe(stored);
    expect(p.cropPlan!.scenes[0].keyframes.length).toBeGreaterThan(1);
  });

  it('the clip’s fields win over the job’s, field by field', () => {
    const p = planClipLook({
      jobLook: { captions: { template: 'boxed', uppercase: true }, layout: { mode: 'fit-blur' } },
      clipLook: { captions: { template: 'lower-third' } },
      media,
      aspect: '9:16',
      start: 0,
      end: 10,
      words,
      analysis,
    });
    expect(p.look.captions).toMatchObject({ template: 'lower-third', uppercase: true });
    expect(p.layout).toEqual({ mode: 'fit-blur', reason: 'chosen in the look' });
  });

  it('passes numbers and the scorer’s claim words as keywords, not every hook-ish word', () => {
    const p = planClipLook({ media, aspect: '9:16', start: 0, end: 10, words, analysis });
    expect(p.keywords.sort()).toEqual(['2024', 'mistakes', 'secret', 'three']);
  });
});
