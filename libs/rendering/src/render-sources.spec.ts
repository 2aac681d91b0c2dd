import { execFileSync } from 'node:child_process';
import type { MediaInfo } from '@clipline/contracts';
import { FFMPEG_PATH, probeMedia } from '@clipline/media';
import { cached } from '@test/fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES } from '@test/fixtures/speech.fixture';
import { buildTalkingHead, type TalkingHeadSpec } from '@test/fixtures/talking-head.fixture';
import { fastRender, frameDifference, frameRgb, probeOutput } from '@test/support/render-checks';
import { renderClip } from './render.stage';
import { withWorkDir } from './work-dir';

jest.setTimeout(120_000);

const baseSpec = (audioPath?: string): TalkingHeadSpec => ({
  width: 640,
  height: 360,
  fps: 25,
  audioPath,
  scenes: [
    {
      duration: 4,
      background: '0x803020',
      faces: [{ size: 200, from: { x: 60, y: 40 }, to: { x: 200, y: 120 } }],
    },
  ],
});

/** Re-encodes a fixture with extra ffmpeg output options (pixel format, size, timing). */
function variant(name: string, input: string, args: string[]): Promise<string> {
  return cached(`render-${name}.mp4`, { input, args }, async (tmp) => {
    execFileSync(FFMPEG_PATH, ['-y', '-v', 'error', '-i', input, ...args, '-c:a', 'copy', tmp]);
  });
}

async function sources(): Promise<Record<string, string>> {
  const speech = await buildSpeech({ sentences: [TALK_SENTENCES[1]], pauses: [0.6] });
  const withAudio = (await buildTalkingHead(baseSpec(speech.wavPath))).path;
  return {
    'no audio track': (await buildTalkingHead(baseSpec())).path,
    'rotation metadata': (
      await buildTalkingHead({
        ...baseSpec(speech.wavPath),
        extraOutputArgs: ['-metadata:s:v:0', 'rotate=90'],
      })
    ).path,
    '10-bit': await variant('10bit', withAudio, [
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p10le',
    ]),
    'odd size': await variant('odd', withAudio, [
      '-vf',
      'scale=639:357',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv444p',
    ]),
    'variable frame rate': await variant('vfr', withAudio, [
      '-vf',
      "select='not(between(mod(n,9),3,5))'",
      '-vsync',
      'vfr',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
    ]),
  };
}

let paths: Record<string, string>;
beforeAll(async () => {
  paths = await sources();
});

describe('renderClip on awkward sources', () => {
  it.each([
    ['no audio track', '9:16', 1080, 1920],
    ['rotation metadata', '9:16', 1080, 1920],
    ['10-bit', '1:1', 1080, 1080],
    ['odd size', '16:9', 1920, 1080],
    ['variable frame rate', '9:16', 1080, 1920],
  ] as const)(
    '%s renders to %s H.264/AAC at the planned length',
    async (name, aspect, width, height) => {
      const path = paths[name];
      const media: MediaInfo = await probeMedia(path);
      if (name === 'no audio track') expect(media.hasAudio).toBe(false);
      if (name === 'rotation metadata') {
        // ffprobe and the ffmpeg 4 muxer disagree on the sign; either way the frame is displayed upright at 360x640.
        expect([90, 270]).toContain(media.video?.rotation);
        expect(media.video?.displayWidth).toBe(360);
      }
      if (name === '10-bit') expect(media.video?.bitDepth).toBe(10);
      if (name === 'variable frame rate') expect(media.video?.variableFrameRate).toBe(true);
      await withWorkDir(async (workDir) => {
        const res = await renderClip(
          fastRender(path, media, workDir, {
            start: 0.5,
            end: 3.5,
            aspect,
            words: [{ text: 'hello', start: 1, end: 1.5, confidence: 1 }],
            captions: true,
          }),
        );
        const probe = await probeOutput(res.videoPath);
        const v = probe.streams.find((s) => s.codec_type === 'video')!;
        const a = probe.streams.find((s) => s.codec_type === 'audio');
        expect([v.codec_name, v.width, v.height, v.pix_fmt]).toEqual([
          'h264',
          width,
          height,
          'yuv420p',
        ]);
        expect(a?.codec_name).toBe('aac');
        expect(Math.abs(probe.duration - 3)).toBeLessThanOrEqual(0.1);
        expect(Math.abs(Number(v.duration) - 3)).toBeLessThanOrEqual(0.1);
        expect(v.tags?.rotate).toBeUndefined();

        if (name === 'rotation metadata') {
          // The 360x640 displayed frame fills the 9:16 output; it must match
          // ffmpeg's own upright decode, not the sideways coded picture.
          const small = 'scale=360:640';
          const [out, upright, sideways] = await Promise.all([
            frameRgb(res.videoPath, 1.0, small),
            frameRgb(path, 1.5, small),
            frameRgb(path, 1.5, `transpose=2,hflip,vflip,${small}`),
          ]);
          const good = frameDifference(out, upright);
          expect(good).toBeLessThan(10);
          expect(frameDifference(out, sideways)).toBeGreaterThan(good * 2);
        }
      });
    },
  );
});
