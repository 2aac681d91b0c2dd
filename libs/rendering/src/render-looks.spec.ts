import {
  CAPTION_TEMPLATES,
  DEFAULT_CLIP_LOOK,
  resolveClipLook,
  type ClipLook,
  type FaceTrack,
  type MediaInfo,
} from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import { buildSpeech, TALK_SENTENCES, type SpeechFixture } from '@test/fixtures/speech.fixture';
import { buildTalkingHead, type TalkingHeadFixture } from '@test/fixtures/talking-head.fixture';
import {
  colourDistance,
  frameDifference,
  frameRgb,
  meanRgb,
  probeOutput,
  wordsFromSentences,
} from '@test/support/render-checks';
import { chooseLayout } from './layout-modes';
import { planRender, renderClip } from './render.stage';
import type { RenderRequest } from './render.types';
import { renderStill } from './still.renderer';
import { withWorkDir } from './work-dir';

jest.setTimeout(240_000);

const W = 1280;
const H = 720;
const BG: [number, number, number] = [0x20, 0xa0, 0x40];
let speech: SpeechFixture;
let talk: TalkingHeadFixture;
let media: MediaInfo;
let tracks: FaceTrack[];

beforeAll(async () => {
  speech = await buildSpeech({ sentences: TALK_SENTENCES.slice(0, 2), pauses: [0.6, 0.5] });
  // Two people far apart: one portrait window cannot hold both.
  talk = await buildTalkingHead({
    width: W,
    height: H,
    fps: 25,
    audioPath: speech.wavPath,
    scenes: [
      {
        duration: 6,
        background: '0x20a040',
        faces: [
          { size: 400, from: { x: 40, y: 120 } },
          { size: 400, from: { x: 840, y: 120 } },
        ],
      },
    ],
  });
  media = await probeMedia(talk.path);
  // Face tracks as the layout stage stores them: normalised boxes at 2 fps.
  tracks = [0, 1].map((k) => ({
    id: k + 1,
    sceneIndex: 0,
    points: Array.from({ length: 12 }, (_, i) => {
      const t = i / 2;
      const f = talk.facesAt(t).sort((a, b) => a.x - b.x)[k];
      return { t, x: f.x / W, y: f.y / H, w: f.w / W, h: f.h / H, score: 0.9 };
    }),
  }));
});

const first = () => speech.truth.sentences[0];

function request(
  workDir: string,
  look?: ClipLook,
  extra: Partial<RenderRequest> = {},
): RenderRequest {
  return {
    sourceUrl: talk.path,
    media,
    start: Math.max(0, first().start - 0.2),
    end: Math.max(0, first().start - 0.2) + 1.6,
    aspect: '9:16',
    words: wordsFromSentences(speech.truth.sentences),
    silences: [],
    removeSilence: false,
    captions: true,
    cropPlan: null,
    look: look ? resolveClipLook(null, look) : undefined,
    workDir,
    options: { preset: 'ultrafast' },
    ...extra,
  };
}

/** The rendered frame at output time t, 1080x1920 RGB. */
async function renderFrame(look: ClipLook | undefined, extra: Partial<RenderRequest> = {}) {
  return withWorkDir(async (workDir) => {
    const res = await renderClip(request(workDir, look, extra));
    expect(res.width).toBe(1080);
    return frameRgb(res.videoPath, 0.2 + 0.6);
  });
}

/** The lower half of a 1080x1920 frame, where bottom captions sit. */
const lowerHalf = (buf: Buffer) => buf.subarray(1080 * 960 * 3);

describe('caption templates, rendered', () => {
  it('the default look plans the same ffmpeg command and captions as no look at all', () => {
    const a = planRender({ ...request('/tmp/x'), cropPlan: null });
    const b = planRender({ ...request('/tmp/x', DEFAULT_CLIP_LOOK), cropPlan: null });
    expect(b.args).toEqual(a.args);
    expect(b.ass).toBe(a.ass);
    expect(b.srt).toBe(a.srt);
  });

  it('each template draws different caption pixels, and all differ from no captions', async () => {
    const plain = await renderFrame(undefined, { captions: false });
    const frames = new Map<string, Buffer>();
    for (const template of CAPTION_TEMPLATES) {
      frames.set(template, await renderFrame({ captions: { template } }));
    }
    for (const [template, f] of frames) {
      expect([template, frameDifference(lowerHalf(f), lowerHalf(plain)) > 0.3]).toEqual([
        template,
        true,
      ]);
    }
    const names = [...frames.keys()];
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const d = frameDifference(
          lowerHalf(frames.get(names[i])!),
          lowerHalf(frames.get(names[j])!),
        );
        expect([names[i], names[j], d > 0.2]).toEqual([names[i], names[j], true]);
      }
    }
    // The box is opaque black behind the centred line (at 75 % of the height).
    const boxed = frames.get('boxed')!;
    const row = Math.round(1920 * 0.75) - Math.round(1080 * 0.07 * 0.6);
    let dark = 0;
    for (let x = 200; x < 880; x++) {
      const i = (row * 1080 + x) * 3;
      if (boxed[i] + boxed[i + 1] + boxed[i + 2] < 40) dark++;
    }
    expect(dark).toBeGreaterThan(50);
  });
});

describe('layouts, rendered', () => {
  it('auto chooses a split screen for two people far apart, and records why', () => {
    const choice = chooseLayout({
      requested: 'auto',
      hasVideo: true,
      aspect: '9:16',
      sourceWidth: W,
      sourceHeight: H,
      clipStart: 0,
      clipEnd: 3,
      layout: { faceTracks: tracks, frameCount: 12, analysedSec: 6 },
    });
    expect(choice.mode).toBe('split-screen');
    expect(choice.reason).toMatch(/two people/);
  });

  it('split screen stacks the two people: a face in each half', async () => {
    const f = await renderFrame(
      { layout: { mode: 'split-screen' } },
      { layout: { mode: 'split-screen', reason: 'test' }, faceTracks: tracks, captions: false },
    );
    const notBg = (y0: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y += 2) {
        for (let x = 0; x < 1080; x += 2) {
          const i = (y * 1080 + x) * 3;
          if (colourDistance([f[i], f[i + 1], f[i + 2]], BG) > 60) n++;
        }
      }
      return n / (((y1 - y0) / 2) * 540);
    };
    expect(notBg(0, 960)).toBeGreaterThan(0.05);
    expect(notBg(960, 1920)).toBeGreaterThan(0.05);
  });

  it('fit-blur shows the whole frame on a blurred copy: both faces in the middle band, background above', async () => {
    const f = await renderFrame(
      { layout: { mode: 'fit-blur' } },
      { layout: { mode: 'fit-blur', reason: 'test' }, captions: false },
    );
    // 1280x720 fitted to 1080 wide is 608 high, centred: rows 656–1264.
    const top = meanRgb(f, 1080, { x: 0, y: 0, w: 1080, h: 400 });
    expect(colourDistance(top, BG)).toBeLessThan(60);
    const faceRow = 656 + Math.round(((120 + 150) / 720) * 608);
    const left = meanRgb(f, 1080, { x: 100, y: faceRow, w: 160, h: 60 });
    const right = meanRgb(f, 1080, { x: 780, y: faceRow, w: 160, h: 60 });
    expect(colourDistance(left, BG)).toBeGreaterThan(40);
    expect(colourDistance(right, BG)).toBeGreaterThan(40);
  });
});

describe('preview still', () => {
  it('renders one 1080x1920 JPEG with the look at the first caption', async () => {
    await withWorkDir(async (workDir) => {
      const req = request(
        workDir,
        { captions: { template: 'boxed' }, title: { enabled: true, text: 'Hook!' } },
        { layout: { mode: 'fit-blur', reason: 'test' } },
      );
      const res = await renderStill(req);
      expect(res.atSec).toBeGreaterThan(0);
      expect(res.atSec).toBeLessThan(1.5);
      const probe = await probeOutput(res.jpegPath);
      expect(probe.streams[0]).toMatchObject({ width: 1080, height: 1920 });
    });
  });
});
