import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';

export interface FfmpegPair {
  ffmpeg: string;
  ffprobe: string;
  /** Where the pair came from, for the start-up log. */
  origin: 'env' | 'system' | 'bundled';
}

export interface PairSources {
  env: { FFMPEG_PATH?: string; FFPROBE_PATH?: string };
  systemDir: string;
  exists: (path: string) => boolean;
  bundled: { ffmpeg: string; ffprobe: string };
}

/**
 * A system ffmpeg and ffprobe come from one release, so what the probe accepts
 * the decoder can read; the npm builds are a 2018 ffmpeg beside a 2023 ffprobe.
 * Both system binaries must exist: half a system pair would mix releases again.
 */
export function resolveFfmpegPair(src: PairSources): FfmpegPair {
  const sysFfmpeg = `${src.systemDir}/ffmpeg`;
  const sysFfprobe = `${src.systemDir}/ffprobe`;
  const system = src.exists(sysFfmpeg) && src.exists(sysFfprobe);
  const ffmpeg = src.env.FFMPEG_PATH || (system ? sysFfmpeg : src.bundled.ffmpeg);
  const ffprobe = src.env.FFPROBE_PATH || (system ? sysFfprobe : src.bundled.ffprobe);
  const origin =
    src.env.FFMPEG_PATH || src.env.FFPROBE_PATH ? 'env' : system ? 'system' : 'bundled';
  return { ffmpeg, ffprobe, origin };
}

/** The pair found on this machine, with the overrides the validated config gave (none: found). */
export function machineFfmpegPair(env: PairSources['env'] = {}): FfmpegPair {
  return resolveFfmpegPair({
    env,
    systemDir: '/usr/bin',
    exists: existsSync,
    bundled: { ffmpeg: ffmpegInstaller.path, ffprobe: ffprobeInstaller.path },
  });
}

/**
 * Stage libs are framework-free and never read the environment, so a process
 * entry point hands them FFMPEG_PATH/FFPROBE_PATH from its validated config
 * (`applyToolSettings` in libs/pipeline); until then the machine's pair is used.
 */
export let FFMPEG_PAIR: FfmpegPair = machineFfmpegPair();
let described: string | undefined;

export function useFfmpegPair(pair: FfmpegPair): void {
  FFMPEG_PAIR = pair;
  described = undefined;
}

/** First line of `-version` ("ffmpeg version 5.1.9-0+deb12u1 ..."), or why it could not run. */
export function binaryVersion(path: string): string {
  try {
    const out = execFileSync(path, ['-version'], { encoding: 'utf8', timeout: 5000 });
    return /version (\S+)/.exec(out)?.[1] ?? out.split('\n')[0];
  } catch (err) {
    return `unavailable (${(err as Error).message.split('\n')[0]})`;
  }
}

/** "ffmpeg 5.1.9 + ffprobe 5.1.9 (system)", computed once per process. */
export function describeFfmpegPair(): string {
  described ??=
    `ffmpeg ${binaryVersion(FFMPEG_PAIR.ffmpeg)} + ffprobe ${binaryVersion(FFMPEG_PAIR.ffprobe)} ` +
    `(${FFMPEG_PAIR.origin}: ${FFMPEG_PAIR.ffmpeg}, ${FFMPEG_PAIR.ffprobe})`;
  return described;
}
