import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';

/** Env overrides let ops use a newer system ffmpeg without a code change. */
export const FFMPEG_PATH: string = process.env.FFMPEG_PATH || ffmpegInstaller.path;
export const FFPROBE_PATH: string = process.env.FFPROBE_PATH || ffprobeInstaller.path;

/**
 * A crafted source must not make ffmpeg open local files or other hosts than
 * the one we point it at, so inputs are limited to these protocols.
 */
export const PROTOCOL_WHITELIST = 'file,http,https,tcp,tls,crypto';

/** Input options every ffmpeg/ffprobe call on a source should carry. */
export function safeInputArgs(): string[] {
  return ['-protocol_whitelist', PROTOCOL_WHITELIST];
}
