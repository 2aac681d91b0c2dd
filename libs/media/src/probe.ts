import { BadInputError, type MediaInfo } from '@clipline/contracts';
import { allowedDemuxer, FFPROBE_PATH, safeInputArgs } from './binaries';
import { runCollect, type RunOptions } from './process-runner';

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number | string }>;
  disposition?: { attached_pic?: number };
}
interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; size?: string; format_name?: string };
}

function ratio(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split('/').map(Number);
  return d ? n / d : n || 0;
}

function rotationOf(s: FfprobeStream): number {
  const fromSide = s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const raw = Number(fromSide ?? s.tags?.rotate ?? 0);
  // Display-matrix rotation is counter-clockwise and negative; tags.rotate is clockwise.
  const cw = fromSide !== undefined ? -raw : raw;
  return (((Math.round(cw / 90) * 90) % 360) + 360) % 360;
}

function bitDepth(s: FfprobeStream): number {
  const fromRaw = Number(s.bits_per_raw_sample);
  if (fromRaw > 0) return fromRaw;
  const m = /p(\d{2})(le|be)?$/.exec(s.pix_fmt ?? '');
  return m ? Number(m[1]) : 8;
}

/** Parses ffprobe JSON; exported for unit tests. */
export function parseProbe(json: FfprobeOutput): MediaInfo {
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  const durationSec = Number(json.format?.duration ?? 0) || 0;
  let video: MediaInfo['video'] = null;
  if (v && v.width && v.height) {
    const rotation = rotationOf(v);
    const swap = rotation === 90 || rotation === 270;
    const rFps = ratio(v.r_frame_rate);
    const avgFps = ratio(v.avg_frame_rate);
    video = {
      codec: v.codec_name ?? 'unknown',
      width: v.width,
      height: v.height,
      displayWidth: swap ? v.height : v.width,
      displayHeight: swap ? v.width : v.height,
      rotation,
      fps: avgFps || rFps,
      variableFrameRate: rFps > 0 && avgFps > 0 && Math.abs(rFps - avgFps) / rFps > 0.01,
      pixFmt: v.pix_fmt ?? 'unknown',
      bitDepth: bitDepth(v),
    };
  }
  const audio: MediaInfo['audio'] = a
    ? {
        codec: a.codec_name ?? 'unknown',
        sampleRate: Number(a.sample_rate ?? 0),
        channels: a.channels ?? 0,
      }
    : null;
  return {
    durationSec,
    sizeBytes: json.format?.size ? Number(json.format.size) : null,
    formatName: json.format?.format_name ?? 'unknown',
    hasVideo: video !== null,
    hasAudio: audio !== null,
    video,
    audio,
  };
}

const UNSUPPORTED_CONTAINER =
  'Upload a single audio or video file (MP4/MOV, MKV/WebM, AVI, MPEG-TS, MPEG-PS, FLV, WMV, MP3, AAC, WAV, FLAC, Ogg); playlists, file lists and image sequences are not accepted.';

function unsupportedContainer(detected: string | null): BadInputError {
  return new BadInputError(
    `The file is in an unsupported container${detected ? ` (${detected})` : ''}. ${UNSUPPORTED_CONTAINER}`,
  );
}

/** ffprobe names the refused demuxer in its log prefix: "[hls @ 0x...] Format not on whitelist". */
const NOT_ON_WHITELIST = /(?:\[([\w,]+) @ 0x[0-9a-f]+\] )?Format not on whitelist/;

/**
 * Probes a file path or (presigned) URL. Anything ffprobe cannot read, or a
 * file with neither audio nor video, is a BadInputError with a message a
 * user can act on.
 */
export async function probeMedia(input: string, opts: RunOptions = {}): Promise<MediaInfo> {
  const args = [
    '-v',
    'error',
    ...safeInputArgs(input),
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    input,
  ];
  const res = await runCollect(FFPROBE_PATH, args, { ...opts, stderrTail: 2048 });
  const refused = NOT_ON_WHITELIST.exec(res.stderrTail);
  if (refused) throw unsupportedContainer(refused[1] ?? null);
  if (res.code === -1 || res.code > 128) {
    // A signal (the bundled ffprobe segfaults on some inputs, e.g. MPEG-TS):
    // the same bytes crash it again, so retrying cannot help.
    throw new BadInputError(
      'The file could not be analysed: the media prober crashed on it. Re-encode it as MP4 (H.264/AAC) and upload it again.',
    );
  }
  if (res.code !== 0) {
    const reason = res.stderrTail.trim().split('\n').pop() ?? 'unknown error';
    if (/Connection refused|timed out|Server returned 5\d\d/i.test(reason)) {
      throw new Error(`ffprobe could not reach the source: ${reason}`);
    }
    throw new BadInputError(
      `The file is not a readable audio or video file (${reason.replace(/^.*?: /, '')}).`,
    );
  }
  let parsed: FfprobeOutput;
  try {
    parsed = JSON.parse(res.stdout.toString('utf8')) as FfprobeOutput;
  } catch {
    throw new BadInputError(
      'The file is not a readable audio or video file (ffprobe gave no result).',
    );
  }
  const info = parseProbe(parsed);
  // Checked again here: whatever demuxer ffprobe picked is the one every later
  // ffmpeg run is forced to use (safeInputArgs), so it must be an allowed one.
  if (!allowedDemuxer(info.formatName)) throw unsupportedContainer(info.formatName);
  if (!info.hasAudio && !info.hasVideo) {
    throw new BadInputError('The file has neither an audio nor a video stream.');
  }
  if (!(info.durationSec > 0)) {
    throw new BadInputError('The file has no measurable duration; it may be truncated or corrupt.');
  }
  return info;
}
