import { existsSync } from 'node:fs';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { FFMPEG_PATH, FFPROBE_PATH } from './binaries';
import { binaryVersion, FFMPEG_PAIR, resolveFfmpegPair, type PairSources } from './ffmpeg-pair';

const bundled = { ffmpeg: ffmpegInstaller.path, ffprobe: ffprobeInstaller.path };
const src = (over: Partial<PairSources>): PairSources => ({
  env: {},
  systemDir: '/usr/bin',
  exists: existsSync,
  bundled,
  ...over,
});

describe('ffmpeg pair', () => {
  it('prefers the system pair when both binaries exist', () => {
    const have = new Set(['/opt/ff/ffmpeg', '/opt/ff/ffprobe']);
    const pair = resolveFfmpegPair(src({ systemDir: '/opt/ff', exists: (p) => have.has(p) }));
    expect(pair).toEqual({
      ffmpeg: '/opt/ff/ffmpeg',
      ffprobe: '/opt/ff/ffprobe',
      origin: 'system',
    });
  });

  it('never mixes a system ffmpeg with the bundled ffprobe', () => {
    const pair = resolveFfmpegPair(
      src({ systemDir: '/opt/ff', exists: (p) => p === '/opt/ff/ffmpeg' }),
    );
    expect(pair).toEqual({ ...bundled, origin: 'bundled' });
  });

  it('lets FFMPEG_PATH and FFPROBE_PATH override', () => {
    const pair = resolveFfmpegPair(
      src({ env: { FFMPEG_PATH: '/x/ffmpeg', FFPROBE_PATH: '/x/ffprobe' }, exists: () => true }),
    );
    expect(pair).toEqual({ ffmpeg: '/x/ffmpeg', ffprobe: '/x/ffprobe', origin: 'env' });
  });

  it('uses Debian ffmpeg on a machine that has it, and both come from one release', () => {
    if (process.env.FFMPEG_PATH || process.env.FFPROBE_PATH) return;
    const system = existsSync('/usr/bin/ffmpeg') && existsSync('/usr/bin/ffprobe');
    expect(FFMPEG_PAIR.origin).toBe(system ? 'system' : 'bundled');
    if (system) {
      // What every stage lib runs (binaries.ts) is that pair, one release.
      expect([FFMPEG_PATH, FFPROBE_PATH]).toEqual(['/usr/bin/ffmpeg', '/usr/bin/ffprobe']);
      expect(binaryVersion(FFMPEG_PATH)).toBe(binaryVersion(FFPROBE_PATH));
    }
  });
});
