import {
  FFMPEG_PATH,
  FFPROBE_PATH,
  ffmpegFailure,
  runCollect,
  safeInputArgs,
  spawnTracked,
  stopChild,
  type RunOptions,
} from '@clipline/media';
import type { DecodeMode, SampledFrame } from './layout.types';

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
  /** Default `all`. */
  decode?: DecodeMode;
  /** The probe's `format_name`, so the decoder uses the demuxer the probe accepted. */
  formatName?: string | null;
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
  const mode = opts.decode ?? 'all';
  // showinfo reports at info level; everything else of interest there is an error anyway.
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-v',
    mode === 'keyframes' ? 'info' : 'error',
  ];
  args.push(...safeInputArgs(input, opts.formatName));
  // Analysis frames are 320 px wide: deblocking and bit-exact decoding buy nothing visible there.
  args.push('-threads', String(opts.threads ?? 2), '-flags2', '+fast', '-skip_loop_filter', 'all');
  if (mode === 'keyframes') args.push('-skip_frame', 'nokey');
  else if (mode === 'noref') args.push('-skip_frame', 'noref');
  if (opts.startSec && opts.startSec > 0) args.push('-ss', opts.startSec.toFixed(3));
  if (opts.durationSec !== undefined) args.push('-t', opts.durationSec.toFixed(3));
  // ffmpeg applies rotation metadata itself (autorotate), so frames arrive as displayed.
  args.push('-i', input, '-map', '0:v:0', '-an', '-sn', '-dn');
  const scale = `scale=${width}:${height}:flags=fast_bilinear`;
  if (mode === 'keyframes') {
    // Passthrough: the rawvideo muxer would otherwise duplicate frames up to the stream rate.
    args.push('-vf', `${scale},showinfo`, '-vsync', 'passthrough');
  } else {
    args.push('-vf', `fps=${opts.fps},${scale}`);
  }
  args.push('-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
  return args;
}

const READ_AHEAD_FRAMES = 4;

const SHOWINFO_PTS = /Parsed_showinfo.*\bn:\s*(\d+).*\bpts_time:(-?[\d.]+(?:e[-+]?\d+)?)/;

/**
 * Frame times read from showinfo on stderr. stdout and stderr are separate
 * pipes, so a frame's bytes may arrive before its log line: take() waits.
 */
class PtsQueue {
  private readonly times: number[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;

  push(line: string): void {
    const m = SHOWINFO_PTS.exec(line);
    if (!m) return;
    this.times[Number(m[1])] = Number(m[2]);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  async take(index: number): Promise<number | undefined> {
    while (this.times[index] === undefined && !this.closed) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const t = this.times[index];
    delete this.times[index];
    return t;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/**
 * Yields low-resolution RGB frames as ffmpeg decodes them: the source (a path
 * or a presigned URL) is streamed, never downloaded whole, and memory holds
 * one frame at a time. With `all`/`noref`, frame i stands for time
 * startSec + i / fps; with `keyframes`, for its own presentation time.
 */
export async function* sampleFrames(
  input: string,
  opts: FrameSamplerOptions,
): AsyncGenerator<SampledFrame> {
  const { width, height } = analysisSize(opts.displayWidth, opts.displayHeight, opts.boxWidth);
  const frameBytes = width * height * 3;
  const keyframes = opts.decode === 'keyframes';
  const pts = keyframes ? new PtsQueue() : null;
  const child = spawnTracked(FFMPEG_PATH, frameSamplerArgs(input, opts), {
    ...opts,
    stderrTail: 4096,
    onStderrLine: pts ? (line) => pts.push(line) : opts.onStderrLine,
  });
  child.on('close', () => pts?.close());
  const start = opts.startSec ?? 0;
  // Read ahead a few frames so ffmpeg decodes the next ones while the caller
  // runs the face model on this one (a pipe holds less than one frame).
  const chunks: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const out = child.stdout!;
  out.on('data', (c: Buffer) => {
    chunks.push(c);
    queued += c.length;
    if (queued >= READ_AHEAD_FRAMES * frameBytes) out.pause();
    notify();
  });
  out.on('end', () => {
    ended = true;
    notify();
  });
  out.on('error', () => {
    ended = true;
    notify();
  });
  const take = (): Buffer => {
    const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const rgb = Buffer.from(all.subarray(0, frameBytes));
    const rest = all.subarray(frameBytes);
    chunks.length = 0;
    if (rest.length) chunks.push(rest);
    queued = rest.length;
    if (out.isPaused() && queued < READ_AHEAD_FRAMES * frameBytes) out.resume();
    return rgb;
  };
  let index = 0;
  try {
    for (;;) {
      while (queued < frameBytes && !ended) await new Promise<void>((r) => (wake = r));
      if (queued < frameBytes) break;
      const rgb = take();
      let t = start + index / opts.fps;
      if (pts) {
        const rel = await pts.take(index);
        if (rel === undefined) throw new Error(`ffmpeg gave no timestamp for key frame ${index}`);
        t = start + rel;
      }
      yield { index, t, width, height, rgb };
      index++;
    }
    const res = await child.done;
    if (res.code !== 0) throw ffmpegFailure('decode the video frames', res.code, res.stderrTail);
  } finally {
    // A caller that stops early (abort, re-run) leaves ffmpeg running: it is
    // killed and awaited here, so its exit can neither outlive the job nor
    // reject with nobody listening.
    await stopChild(child);
  }
}

/**
 * Keyframe times (source seconds) in the first `windowSec` from `startSec`,
 * decoding key frames only: a cheap look at the GOP structure.
 */
export async function probeKeyframeTimes(
  input: string,
  startSec = 0,
  windowSec = 30,
  opts: RunOptions & { formatName?: string | null } = {},
): Promise<number[]> {
  const res = await runCollect(
    FFPROBE_PATH,
    [
      '-v',
      'error',
      ...safeInputArgs(input, opts.formatName),
      '-select_streams',
      'v:0',
      '-skip_frame',
      'nokey',
      '-show_entries',
      'frame=best_effort_timestamp_time',
      '-of',
      'csv=p=0',
      '-read_intervals',
      `${startSec > 0 ? startSec.toFixed(3) : ''}%+${windowSec}`,
      input,
    ],
    { onCommand: opts.onCommand, signal: opts.signal, stderrTail: 2048 },
  );
  if (res.code !== 0) return [];
  const times: number[] = [];
  for (const line of res.stdout.toString('utf8').split('\n')) {
    const v = Number.parseFloat(line.split(',')[0]);
    if (Number.isFinite(v)) times.push(v);
  }
  return times.sort((a, b) => a - b);
}
