import { FFMPEG_PATH, safeInputArgs } from './binaries';
import { spawnTracked, stopChild, type RunOptions } from './process-runner';
import { ffmpegFailure } from './ffmpeg-errors';

export interface PcmStreamOptions extends RunOptions {
  /** The probe's `format_name`, so the decoder uses the demuxer the probe accepted. */
  formatName?: string | null;
  sampleRate?: number;
  /** Seek to this many seconds before decoding (input seek: -ss before -i). */
  startSec?: number;
  durationSec?: number;
  /** Extra audio filters, e.g. 'highpass=f=80'. */
  audioFilter?: string;
}

/**
 * Decodes the first audio stream of `input` to mono float32 PCM and yields it
 * in chunks as ffmpeg produces them. Memory is bounded by the pipe buffer, not
 * by the length of the source.
 */
export async function* pcmFloat32Stream(
  input: string,
  opts: PcmStreamOptions = {},
): AsyncGenerator<Float32Array> {
  const rate = opts.sampleRate ?? 16000;
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    ...safeInputArgs(input, opts.formatName),
  ];
  if (opts.startSec) args.push('-ss', opts.startSec.toFixed(3));
  if (opts.durationSec) args.push('-t', opts.durationSec.toFixed(3));
  args.push('-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(rate));
  if (opts.audioFilter) args.push('-af', opts.audioFilter);
  args.push('-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1');
  const child = spawnTracked(FFMPEG_PATH, args, opts);
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const usable = buf.length - (buf.length % 4);
      carry = buf.subarray(usable);
      if (usable > 0) {
        // Copy: the Buffer may sit at an offset that is not 4-byte aligned.
        const out = new Float32Array(usable / 4);
        Buffer.from(out.buffer).set(buf.subarray(0, usable));
        yield out;
      }
    }
    const res = await child.done;
    if (res.code !== 0) {
      throw ffmpegFailure('decode the audio', res.code, res.stderrTail);
    }
  } finally {
    await stopChild(child);
  }
}
