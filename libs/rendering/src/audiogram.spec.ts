import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Aspect, MediaInfo, TranscriptWord } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import {
  colourDistance,
  frameDifference,
  frameRgb,
  meanRgb,
  probeOutput,
  type Box,
} from '@test/support/render-checks';
import { audiogramLayout } from './audiogram.builder';
import { captionStyleFor } from './captions.builder';
import { renderClip } from './render.stage';
import { withWorkDir } from './work-dir';

jest.setTimeout(240_000);

const FIXTURES =
  process.env.FIXTURE_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared', 'fixtures');
const JFK = join(FIXTURES, 'jfk.wav');
const BG: [number, number, number] = [0x14, 0x16, 0x1c];

// Rough timings of the JFK sample; captions only need words in the clip.
const WORDS: TranscriptWord[] = [
  ['And', 0.3, 0.6],
  ['so', 0.6, 0.9],
  ['my', 0.9, 1.2],
  ['fellow', 1.2, 1.7],
  ['Americans,', 1.7, 2.6],
  ['ask', 3.2, 3.7],
  ['not', 3.7, 4.3],
  ['what', 4.5, 4.9],
  ['your', 4.9, 5.2],
  ['country', 5.2, 5.8],
].map(([text, start, end]) => ({
  text: text as string,
  start: start as number,
  end: end as number,
  confidence: 0.9,
}));

const LONG =
  `${'Episode 12: the "long" one, with: colons; commas, [brackets] and \\ backslashes '.repeat(7)}`.slice(
    0,
    500,
  );

/** Pixels in a box far from the background: drawn text or waveform. */
function drawnPixels(frame: Buffer, width: number, box: Box): number {
  let n = 0;
  for (let y = Math.round(box.y); y < Math.round(box.y + box.h); y++) {
    for (let x = Math.round(box.x); x < Math.round(box.x + box.w); x++) {
      const i = (y * width + x) * 3;
      if (colourDistance([frame[i], frame[i + 1], frame[i + 2]], BG) > 60) n++;
    }
  }
  return n;
}

/** Mean absolute pixel difference between two frames inside a box. */
function boxDifference(a: Buffer, b: Buffer, width: number, box: Box): number {
  const crop = (f: Buffer) => {
    const rows: Buffer[] = [];
    for (let y = box.y; y < box.y + box.h; y++)
      rows.push(f.subarray((y * width + box.x) * 3, (y * width + box.x + box.w) * 3));
    return Buffer.concat(rows);
  };
  return frameDifference(crop(a), crop(b));
}

let media: MediaInfo;
beforeAll(async () => {
  media = await probeMedia(JFK);
  expect(media.hasVideo).toBe(false);
});

describe('audiograms for audio-only sources', () => {
  it.each<[Aspect, number, number, string]>([
    [
      '9:16',
      1080,
      1920,
      `He said "ask not": 100% %{pts} %{localtime} {\\an7\\c&H0000FF&} C:\\x\\N'; [a],b`,
    ],
    ['1:1', 1080, 1080, 'שלום עולם — مرحبا 🎙️🇫🇷 podcast\n\rline two\u202Eevil'],
    ['16:9', 1920, 1080, LONG],
  ])(
    'renders %s with a moving waveform, the title and the captions',
    async (aspect, width, height, title) => {
      await withWorkDir(async (workDir) => {
        const res = await renderClip({
          sourceUrl: JFK,
          media,
          start: 0,
          end: 6,
          aspect,
          words: WORDS,
          silences: [],
          removeSilence: false,
          captions: true,
          cropPlan: null,
          title,
          workDir,
          options: { preset: 'ultrafast' },
        });
        const probe = await probeOutput(res.videoPath);
        const v = probe.streams.find((s) => s.codec_type === 'video')!;
        const a = probe.streams.find((s) => s.codec_type === 'audio')!;
        expect([v.codec_name, v.width, v.height, v.pix_fmt]).toEqual([
          'h264',
          width,
          height,
          'yuv420p',
        ]);
        expect(a.codec_name).toBe('aac');
        expect(Math.abs(Number(v.duration) - 6)).toBeLessThanOrEqual(0.1);

        const layout = audiogramLayout(width, height);
        const wave = layout.wave;
        // 1.0 s and 1.5 s are both inside "my fellow Americans".
        const [f1, f2, f3] = await Promise.all([
          frameRgb(res.videoPath, 1.0),
          frameRgb(res.videoPath, 1.5),
          frameRgb(res.videoPath, 3.9),
        ]);

        // The waveform is drawn and moves with the speech.
        expect(drawnPixels(f1, width, wave)).toBeGreaterThan(wave.w * 4);
        expect(boxDifference(f1, f2, width, wave)).toBeGreaterThan(3);
        // ...and nothing is drawn outside its box but text.
        const gap = { x: 0, y: wave.y + wave.h + 4, w: width, h: 8 };
        expect(colourDistance(meanRgb(f1, width, gap), BG)).toBeLessThan(8);

        // The title sits at the top: text pixels between its margin and two lines below.
        const t = layout.title;
        const titleBox = { x: 0, y: t.marginV, w: width, h: Math.round(t.fontSize * 2.4) };
        expect(drawnPixels(f1, width, titleBox)).toBeGreaterThan(t.fontSize * 20);
        expect(
          colourDistance(meanRgb(f1, width, { x: 0, y: 0, w: width, h: t.marginV - 10 }), BG),
        ).toBeLessThan(6);
        // The same title over the whole clip.
        expect(boxDifference(f1, f3, width, titleBox)).toBeLessThan(1);
        // Long titles wrap onto a few lines and stay above the waveform.
        expect(drawnPixels(f1, width, { x: 0, y: wave.y - 20, w: width, h: 16 })).toBe(0);

        // Captions above their bottom margin: "ask not" at 3.9 s; white and yellow text.
        const c = captionStyleFor(width, height, 'DejaVu Sans');
        const capBox = {
          x: 0,
          y: height - c.marginV - c.fontSize * 1.6,
          w: width,
          h: c.fontSize * 1.6,
        };
        expect(drawnPixels(f3, width, capBox)).toBeGreaterThan(c.fontSize * 20);
        expect(readFileSync(res.vttPath, 'utf8')).toContain('ask not');
      });
    },
  );

  it('draws the title alone when captions are off', async () => {
    await withWorkDir(async (workDir) => {
      const res = await renderClip({
        sourceUrl: JFK,
        media,
        start: 3,
        end: 5,
        aspect: '9:16',
        words: WORDS,
        silences: [],
        removeSilence: false,
        captions: false,
        cropPlan: null,
        title: 'jfk inaugural',
        workDir,
        options: { preset: 'ultrafast' },
      });
      const f = await frameRgb(res.videoPath, 0.9);
      const t = audiogramLayout(1080, 1920).title;
      expect(
        drawnPixels(f, 1080, { x: 0, y: t.marginV, w: 1080, h: t.fontSize * 2 }),
      ).toBeGreaterThan(t.fontSize * 10);
      const c = captionStyleFor(1080, 1920, 'DejaVu Sans');
      expect(
        drawnPixels(f, 1080, {
          x: 0,
          y: 1920 - c.marginV - c.fontSize * 2,
          w: 1080,
          h: c.fontSize * 2,
        }),
      ).toBe(0);
    });
  });
});
