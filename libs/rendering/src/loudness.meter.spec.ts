import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG_PATH, probeMedia, runChecked } from '@clipline/media';
import { fastRender, loudnessAndTruePeak } from '@test/support/render-checks';
import { parseEbur128Summary } from './loudness.meter';
import { renderClip } from './render.stage';
import { withWorkDir } from './work-dir';

jest.setTimeout(300_000);

const FIXTURES = process.env.FIXTURE_DIR ?? join(__dirname, '../../../../shared/fixtures');
const JFK = join(FIXTURES, 'jfk.wav');
const LJ = ['LJ001-0021.wav', 'LJ001-0022.wav'].map((f) => join(FIXTURES, 'speech-dev', f));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clipline-loudness-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Mixes the inputs (files, then lavfi sources) through `filter`, whose output is [a], to mono. */
async function mix(name: string, files: string[], lavfi: string, filter: string): Promise<string> {
  const out = join(dir, name);
  await runChecked(FFMPEG_PATH, [
    ...['-v', 'error', '-y'],
    ...files.flatMap((f) => ['-i', f]),
    ...['-f', 'lavfi', '-i', lavfi],
    ...['-filter_complex', filter, '-map', '[a]', '-ac', '1', out],
  ]);
  return out;
}

/** Real read speech over a loud, steady chord bed: the music carries most of the loudness. */
function musicHeavy(): Promise<string> {
  const chord =
    'aevalsrc=0.25*sin(2*PI*220*t)+0.25*sin(2*PI*277.2*t)+0.25*sin(2*PI*329.6*t)+0.15*sin(2*PI*110*t):s=44100:d=22';
  return mix(
    'music-heavy.wav',
    LJ,
    chord,
    '[0:a]aresample=44100[s0];[1:a]aresample=44100[s1];[s0][s1]concat=n=2:v=0:a=1,volume=-6dB[sp];[sp][2:a]amix=inputs=2:duration=longest:dropout_transition=0[a]',
  );
}

/** Quiet speech with loud clicks: the gain to -14 LUFS pushes the clicks far over the ceiling. */
function peaky(): Promise<string> {
  const clicks = 'aevalsrc=if(lt(mod(t\\,1.3)\\,0.004)\\,0.95*sin(2*PI*3000*t)\\,0):s=16000:d=11';
  return mix(
    'peaky.wav',
    [JFK],
    clicks,
    '[0:a]volume=-12dB[s];[s][1:a]amix=inputs=2:duration=first:dropout_transition=0[a]',
  );
}

async function render(source: string, start: number, end: number) {
  const media = await probeMedia(source);
  return withWorkDir(async (workDir) => {
    const res = await renderClip(fastRender(source, media, workDir, { start, end, aspect: '1:1' }));
    return loudnessAndTruePeak(res.videoPath);
  });
}

describe('clip loudness', () => {
  it('reads the ebur128 summary, including silence', () => {
    const summary = `[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -27.6 LUFS\n    Threshold: -38.0 LUFS\n\n  Loudness range:\n    LRA:        18.1 LU\n\n  True peak:\n    Peak:       -4.5 dBFS\n`;
    expect(parseEbur128Summary(summary)).toEqual({ inputI: -27.6, inputTp: -4.5 });
    expect(parseEbur128Summary(summary.replace('-27.6 LUFS', '-inf LUFS'))?.inputI).toBe(-Infinity);
    expect(parseEbur128Summary('no summary')).toBeNull();
  });

  it('puts speech and a music-heavy clip at -14 LUFS ±1 with true peak at most -1 dBTP', async () => {
    const speech = await render(JFK, 0.3, 10.5);
    const music = await render(await musicHeavy(), 1, 19);
    const clicks = await render(await peaky(), 0.3, 10.5);
    // Figures for the report: what a listener's meter says about each clip.
    console.log(
      `loudness: speech ${JSON.stringify(speech)}, music-heavy ${JSON.stringify(music)}, clicks ${JSON.stringify(clicks)}`,
    );
    for (const m of [speech, music]) {
      expect(Math.abs(m.i - -14)).toBeLessThanOrEqual(1);
      expect(m.tp).toBeLessThanOrEqual(-1);
    }
    // Clicks 26 dB over the speech: the limiter holds the ceiling (loudness then lands under target, a known limit).
    expect(clicks.tp).toBeLessThanOrEqual(-1);
  });
});
