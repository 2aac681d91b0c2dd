import { FFMPEG_PATH, runChecked } from '@clipline/media';
import { readFileSync, writeFileSync } from 'node:fs';
import { cached } from '../fixtures/fixture-cache';

/** A 320x240 test pattern with a sine tone, encoded with `codecArgs`. */
async function testPattern(out: string, seconds: number, sine: string, codecArgs: string[]) {
  await runChecked(FFMPEG_PATH, [
    ...['-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=${sine}:duration=${seconds}`],
    ...codecArgs,
    ...['-shortest', out],
  ]);
}

/** A short talking-head-like mp4 (tone + test pattern); a few hundred KB. */
export function smallMp4(seconds = 4): Promise<string> {
  return cached('api-small.mp4', { seconds, v: 1 }, async (tmp) => {
    await testPattern(tmp, seconds, 'frequency=440:sample_rate=44100', [
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
    ]);
  });
}

/**
 * Uncompressed video in Matroska: ~11.5 MB for 4 s, so it spans several
 * 5 MiB multipart parts while staying real, probe-able media.
 */
export function multiPartMkv(seconds = 4): Promise<string> {
  return cached('api-multipart.mkv', { seconds, v: 1 }, async (tmp) => {
    await testPattern(tmp, seconds, 'frequency=330:sample_rate=16000', [
      '-c:v',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'pcm_s16le',
    ]);
  });
}

/** An mp4 cut off before its index (moov is written last), as a failed copy leaves it. */
export async function truncatedMp4(): Promise<string> {
  const whole = await smallMp4();
  return cached('api-truncated.mp4', { from: whole, v: 1 }, async (tmp) => {
    const bytes = readFileSync(whole);
    writeFileSync(tmp, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  });
}
