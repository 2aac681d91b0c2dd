import {
  FFMPEG_PATH,
  ffmpegFailure,
  safeInputArgs,
  spawnTracked,
  type RunOptions,
} from '@clipline/media';
import type { SampledFrame } from './layout.types';

export interface FrameSamplerOptions extends RunOptions {
  /** Displayed (rotation-corrected) source size. */
  displayWidth: number;
  displayHeight: number;
  fps: number;
  /** Analysis frames fit inside boxWidth x boxWidth*3/4, the detector's input shape. */
  boxWidth: number;
  startSec?: number;
  durationSec?: number;
  threads?: number;
}

/** Analysis size: fits the detector's 4:3 box, even on both sides, never upscaled. */
export function analysisSize(
  displayWidth: number,
  displayHeight: number,
  boxWidth: number,
): { width: number; height: number } {
  const boxHeight = Math.round((boxWidth * 3) / 4);
  const scale = Math.min(1, boxWidth / displayWidth, boxHeight / displayHeight);
  const even = (v: number) => Math.max(2, 2 * Math.round((v * scale) / 2));
  return { width: even(displayWidth), height: even(displayHeight) };
}

export function frameSamplerArgs(input: string, opts: FrameSamplerOptions): string[] {
  const { width, height } = analysisSize(opts.displayWidth, opts.displayHeight, opts.boxWidth);
  const args = ['-hide_banner', '-nostdin', '-v', 'error', ...safeInputArgs()];
  // Decoder speed-ups that keep every frame: no skipped frames, so sampling times stay exact.
  args.push('-threads', String(opts.threads ?? 2), '-flags2', '+fast', '-skip_loop_filter', 'all');
  if (opts.startSec && opts.startSec > 0) args.push('-ss', opts.startSec.toFixed(3));
  if (opts.durationSec !== undefined) args.push('-t', opts.durationSec.toFixed(3));
  // ffmpeg applies rotation metadata itself (autorotate), so frames arrive as displayed.
  args.push('-i', input, '-map', '0:v:0', '-an', '-sn', '-dn');
  args.push('-vf', `fps=${opts.fps},scale=${width}:${height}:flags=fast_bilinear`);
  args.push('-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
  return args;
}

/**
 * Yields low-resolution RGB frames at `fps` as ffmpeg decodes them: the source
 * (a path or a presigned URL) is streamed, never downloaded whole, and memory
 * holds one frame at a time. Frame i stands for time startSec + i / fps.
 */
export async function* sampleFrames(
  input: string,
  opts: FrameSamplerOptions,
): AsyncGenerator<SampledFrame> {
  const { width, height } = analysisSize(opts.displayWidth, opts.displayHeight, opts.boxWidth);
  const frameBytes = width * height * 3;
  const child = spawnTracked(FFMPEG_PATH, frameSamplerArgs(input, opts), {
    ...opts,
    stderrTail: 4096,
  });
  const start = opts.startSec ?? 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  try {
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= frameBytes) {
        const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
        const rgb = Buffer.from(all.subarray(0, frameBytes));
        const rest = all.subarray(frameBytes);
        pending = rest.length ? [rest] : [];
        pendingBytes = rest.length;
        yield { index, t: start + index / opts.fps, width, height, rgb };
        index++;
      }
    }
    const res = await child.done;
    if (res.code !== 0) throw ffmpegFailure('decode the video frames', res.code, res.stderrTail);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
