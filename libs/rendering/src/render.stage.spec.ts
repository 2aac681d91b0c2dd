import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  isBadInputError,
  type CropPlan,
  type MediaInfo,
  type SilenceRegion,
} from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import { buildSpeech, TALK_SENTENCES, type SpeechFixture } from '@test/fixtures/speech.fixture';
import { buildTalkingHead, type TalkingHeadFixture } from '@test/fixtures/talking-head.fixture';
import { FIXTURE_CACHE_DIR } from '@test/fixtures/fixture-cache';
import {
  colourDistance,
  frameRgb,
  integratedLoudness,
  meanRgb,
  parseVttStarts,
  probeOutput,
  speechOnsets,
  wordsFromSentences,
  type Box,
} from '@test/support/render-checks';
import { renderClip } from './render.stage';
import { withWorkDir } from './work-dir';

jest.setTimeout(120_000);

const W = 1280;
const H = 720;
let speech: SpeechFixture;
let talk: TalkingHeadFixture;
let media: MediaInfo;

beforeAll(async () => {
  speech = await buildSpeech({ sentences: TALK_SENTENCES.slice(0, 3), pauses: [1.2, 1.0, 0.5] });
  talk = await buildTalkingHead({
    width: W,
    height: H,
    fps: 25,
    audioPath: speech.wavPath,
    scenes: [
      { duration: 7, background: '0x2050a0', faces: [{ size: 300, from: { x: 100, y: 200 } }] },
      {
        duration: 7.25,
        background: '0x208040',
        faces: [{ size: 300, from: { x: 900, y: 80 }, to: { x: 700, y: 300 } }],
      },
    ],
  });
  media = await probeMedia(talk.path);
});

/** A plan as the layout stage would make it: a full-height window centred on the face. */
function planFromTruth(): CropPlan {
  const scenes = talk.sceneStarts.map((s, i) => {
    const end = talk.sceneStarts[i + 1] ?? talk.durationSec;
    const keyframes = [];
    for (let t = s; t < end; t += 0.5) {
      const f = talk.facesAt(t)[0];
      keyframes.push({ t, x: f.x + f.w / 2 - 202.5, y: 0, w: 405, h: 720 });
    }
    return { sceneIndex: i, start: s, end, keyframes };
  });
  return { aspect: '9:16', sourceWidth: W, sourceHeight: H, scenes };
}

const silences = (): SilenceRegion[] =>
  speech.truth.gaps.map((g) => ({ kind: 'silence', start: g.start, end: g.end, meanDb: -90 }));

/** Source time -> clip time through the kept ranges, computed here independently of the renderer. */
function toOutput(keptRanges: Array<[number, number]>, t: number): number {
  let out = 0;
  for (const [a, b] of keptRanges) {
    if (t < a) return out;
    if (t <= b) return out + t - a;
    out += b - a;
  }
  return out;
}
function toSource(keptRanges: Array<[number, number]>, tOut: number): number {
  let acc = 0;
  for (const [a, b] of keptRanges) {
    if (tOut < acc + (b - a)) return a + tOut - acc;
    acc += b - a;
  }
  throw new Error('outside the clip');
}

const shrink = (b: Box, k: number): Box => ({
  x: b.x + (b.w * k) / 2,
  y: b.y + (b.h * k) / 2,
  w: b.w * (1 - k),
  h: b.h * (1 - k),
});

describe('renderClip', () => {
  it('renders a 9:16 clip with jump cuts, a face-following crop and captions in sync with the audio', async () => {
    await withWorkDir(async (workDir) => {
      const start = 3;
      const end = 13;
      const res = await renderClip({
        sourceUrl: talk.path,
        media,
        start,
        end,
        aspect: '9:16',
        words: wordsFromSentences(speech.truth.sentences),
        silences: silences(),
        removeSilence: true,
        captions: true,
        cropPlan: planFromTruth(),
        workDir,
        // Keeps the suite quick; the default preset is measured by the bench.
        options: { preset: 'ultrafast' },
      });

      // Two pauses (1.2 s and 1.0 s) lose all but 0.1 s on each side.
      expect(res.keptRanges.length).toBe(3);
      expect(res.durationSec).toBeCloseTo(10 - 1.0 - 0.8, 1);
      const probe = await probeOutput(res.videoPath);
      const v = probe.streams.find((s) => s.codec_type === 'video')!;
      const a = probe.streams.find((s) => s.codec_type === 'audio')!;
      expect([v.codec_name, v.width, v.height, v.pix_fmt]).toEqual(['h264', 1080, 1920, 'yuv420p']);
      expect(a.codec_name).toBe('aac');
      expect(Math.abs(probe.duration - res.durationSec)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(Number(v.duration) - res.durationSec)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(Number(a.duration) - res.durationSec)).toBeLessThanOrEqual(0.1);
      // EBU R128 normalisation to the default -14 LUFS (the espeak fixture alone measures about -21).
      expect(Math.abs((await integratedLoudness(res.videoPath)) + 14)).toBeLessThanOrEqual(1.5);

      // Captions: each sentence that starts in the clip opens a cue at its
      // (cut-mapped) start, and the rendered audio starts speaking there too.
      const cues = parseVttStarts(readFileSync(res.vttPath, 'utf8'));
      const onsets = await speechOnsets(res.videoPath);
      const inClip = speech.truth.sentences.filter((s) => s.start > start && s.start < end);
      expect(inClip.length).toBe(2);
      for (const s of inClip) {
        const expected = toOutput(res.keptRanges, s.start);
        const cue = cues.reduce((p, c) =>
          Math.abs(c.start - expected) < Math.abs(p.start - expected) ? c : p,
        );
        expect(Math.abs(cue.start - expected)).toBeLessThan(0.1);
        expect(cue.text.split(' ')[0]).toBe(s.text.split(' ')[0]);
        const onset = onsets.reduce((p, c) =>
          Math.abs(c - cue.start) < Math.abs(p - cue.start) ? c : p,
        );
        expect(Math.abs(onset - cue.start)).toBeLessThan(0.1);
      }
      const ass = readFileSync(res.assPath, 'utf8');
      expect(ass.split('\n').filter((l) => l.startsWith('Dialogue:')).length).toBeGreaterThan(10);
      expect(readFileSync(res.srtPath, 'utf8')).toMatch(/^1\n00:00:00,\d{3} --> /);

      // The crop keeps the face: where the expected geometry puts it, the
      // output shows the portrait's colours, not the scene background.
      const scale = 1080 / 404;
      for (const tOut of [1.0, toOutput(res.keptRanges, 11.0), toOutput(res.keptRanges, 12.6)]) {
        const src = toSource(res.keptRanges, tOut);
        const face = talk.facesAt(src)[0];
        const winX = Math.min(Math.max(0, Math.round(face.x + face.w / 2 - 202)), W - 404);
        const outBox = shrink(
          { x: (face.x - winX) * scale, y: face.y * scale, w: face.w * scale, h: face.h * scale },
          0.3,
        );
        const [outFrame, srcFrame] = await Promise.all([
          frameRgb(res.videoPath, tOut),
          frameRgb(talk.path, src),
        ]);
        const got = meanRgb(outFrame, 1080, outBox);
        const want = meanRgb(srcFrame, W, shrink(face, 0.3));
        const background = meanRgb(srcFrame, W, { x: 2, y: 2, w: 40, h: 40 });
        expect(colourDistance(want, background)).toBeGreaterThan(40);
        expect(colourDistance(got, want)).toBeLessThan(25);
      }
      expect(readFileSync(res.thumbnailPath).subarray(0, 2).toString('hex')).toBe('ffd8');
    });
  });

  it('renders 16:9 without jump cuts to the planned duration and reports progress and commands', async () => {
    await withWorkDir(async (workDir) => {
      const progress: number[] = [];
      const commands: string[] = [];
      const res = await renderClip(
        {
          sourceUrl: talk.path,
          media,
          start: 0.5,
          end: 4.5,
          aspect: '16:9',
          words: wordsFromSentences(speech.truth.sentences),
          silences: silences(),
          removeSilence: false,
          captions: false,
          cropPlan: null,
          workDir,
          options: { preset: 'ultrafast' },
        },
        { onProgress: (p) => progress.push(p), onCommand: (c) => commands.push(c) },
      );
      expect(res.durationSec).toBeCloseTo(4, 5);
      expect(res.keptRanges).toEqual([[0.5, 4.5]]);
      const probe = await probeOutput(res.videoPath);
      const v = probe.streams.find((s) => s.codec_type === 'video')!;
      expect([v.codec_name, v.width, v.height]).toEqual(['h264', 1920, 1080]);
      expect(probe.streams.some((s) => s.codec_name === 'aac')).toBe(true);
      expect(Math.abs(probe.duration - 4)).toBeLessThanOrEqual(0.1);
      // commands[0] is the loudness pass; [1] the render.
      expect(commands[0]).toContain('ebur128=peak=true');
      expect(commands[1]).toMatch(
        /ffmpeg .*-protocol_whitelist file -format_whitelist \S+ -f mov -ss 0\.500 -t \S+ -i /,
      );
      expect(commands[1]).toContain('+faststart');
      expect(commands[1]).not.toContain('ass=');
      expect(progress[progress.length - 1]).toBe(1);
      expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
      // Captions are off for the video, but the sidecars still carry them.
      expect(readFileSync(res.vttPath, 'utf8')).toContain('-->');
    });
  });

  it('renders an audio-only source as a background with burned-in captions', async () => {
    // Quotes, colons and commas in the work folder exercise filter-graph escaping.
    await withWorkDir(
      async (workDir) => {
        const audioMedia = await probeMedia(speech.wavPath);
        const res = await renderClip({
          sourceUrl: speech.wavPath,
          media: audioMedia,
          start: 5.8,
          end: 10,
          aspect: '1:1',
          words: wordsFromSentences(speech.truth.sentences),
          silences: [],
          removeSilence: false,
          captions: true,
          cropPlan: null,
          workDir,
          options: { preset: 'ultrafast', backgroundColor: '0x102030' },
        });
        const probe = await probeOutput(res.videoPath);
        const v = probe.streams.find((s) => s.codec_type === 'video')!;
        expect([v.codec_name, v.width, v.height]).toEqual(['h264', 1080, 1080]);
        expect(probe.streams.some((s) => s.codec_name === 'aac')).toBe(true);
        expect(Math.abs(probe.duration - 4.2)).toBeLessThanOrEqual(0.1);
        const frame = await frameRgb(res.videoPath, 1.0);
        expect(
          colourDistance(meanRgb(frame, 1080, { x: 0, y: 0, w: 1080, h: 300 }), [0x10, 0x20, 0x30]),
        ).toBeLessThan(8);
        let bright = 0;
        for (let y = 600; y < 1000; y++) {
          for (let x = 0; x < 1080; x++) {
            const i = (y * 1080 + x) * 3;
            if (frame[i] > 200 && frame[i + 1] > 200) bright++;
          }
        }
        expect(bright).toBeGreaterThan(2000);
      },
      { prefix: "it's a:test,[x];" },
    );
  });

  it('fails a corrupt source with BadInputError and leaves no temporary files', async () => {
    const bad = join(FIXTURE_CACHE_DIR, 'rendering-corrupt.mp4');
    writeFileSync(bad, randomBytes(64 * 1024));
    let dir = '';
    const err = await withWorkDir(async (workDir) => {
      dir = workDir;
      return renderClip({
        sourceUrl: bad,
        media,
        start: 1,
        end: 4,
        aspect: '9:16',
        words: [],
        silences: [],
        removeSilence: false,
        captions: true,
        cropPlan: null,
        workDir,
      });
    }).catch((e: unknown) => e);
    expect(isBadInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/render the clip/);
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });
});
