import { FFMPEG_PAIR, useFfmpegPair, type FfmpegPair } from './ffmpeg-pair';

/**
 * The system pair when installed, else the npm builds; FFMPEG_PATH/FFPROBE_PATH
 * override through `useFfmpegBinaries`. Live bindings: every caller reads them
 * when it spawns, so the override reaches stage libs imported before it.
 */
export let FFMPEG_PATH: string = FFMPEG_PAIR.ffmpeg;
export let FFPROBE_PATH: string = FFMPEG_PAIR.ffprobe;

export function useFfmpegBinaries(pair: FfmpegPair): void {
  useFfmpegPair(pair);
  FFMPEG_PATH = pair.ffmpeg;
  FFPROBE_PATH = pair.ffprobe;
}

/**
 * Demuxers of ordinary single-file containers. None of them opens another
 * URL, so a source can only ever make ffmpeg read the one URL we give it.
 * Playlists and indirections (hls, dash, concat, image2, tee, ...) are absent
 * on purpose: they would fetch local files or other hosts.
 */
export const ALLOWED_DEMUXERS: readonly string[] = [
  'mov', // mp4, m4a, 3gp, mov
  'matroska', // mkv, webm
  'avi',
  'mpegts',
  'mpeg', // program stream
  'flv',
  'asf',
  'mp3',
  'aac',
  'ac3',
  'wav',
  'w64',
  'aiff',
  'caf',
  'flac',
  'ogg',
  'amr',
];

/** Raised for a URL scheme ffmpeg must never be given as a source. */
export class UnsafeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeInputError';
  }
}

/**
 * Protocols an input may use: those of its own scheme only. A presigned URL
 * needs http(s) and the sockets under it; a local path (a file the stage lib
 * made itself, or a test fixture) needs `file` and nothing else.
 */
export function inputProtocols(input: string): string {
  // Commas count: ffmpeg reads "subfile,,0,10,:/etc/passwd" as a protocol too.
  const scheme = /^([a-z][a-z0-9+.,-]*):/i.exec(input)?.[1]?.toLowerCase();
  if (scheme === 'https') return 'https,tls,tcp';
  if (scheme === 'http') return 'http,tcp';
  if (scheme === undefined || scheme === 'file') return 'file';
  throw new UnsafeInputError(`refusing to read a source through the "${scheme}:" protocol`);
}

/** The allowed demuxer in ffprobe's `format_name` ("mov,mp4,m4a,..."), or null. */
export function allowedDemuxer(formatName: string | null | undefined): string | null {
  const names = (formatName ?? '').split(',').map((n) => n.trim());
  return names.find((n) => ALLOWED_DEMUXERS.includes(n)) ?? null;
}

/**
 * Input options every ffmpeg/ffprobe call on a source must carry, placed
 * before its `-i`. `formatName` is what the probe detected: naming the
 * demuxer stops a later read from detecting something else in the same bytes.
 */
export function safeInputArgs(input: string, formatName?: string | null): string[] {
  const args = [
    '-protocol_whitelist',
    inputProtocols(input),
    '-format_whitelist',
    ALLOWED_DEMUXERS.join(','),
  ];
  const demuxer = allowedDemuxer(formatName);
  if (demuxer) args.push('-f', demuxer);
  return args;
}
