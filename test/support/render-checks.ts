import { FFMPEG_PATH, FFPROBE_PATH, runChecked, runCollect } from '@clipline/media';
import type { MediaInfo, TranscriptWord } from '@clipline/contracts';
import type { RenderRequest } from '@clipline/rendering';

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  duration?: string;
  side_data_list?: unknown[];
  tags?: Record<string, string>;
}

export async function probeOutput(
  path: string,
): Promise<{ streams: ProbedStream[]; duration: number }> {
  const res = await runChecked(FFPROBE_PATH, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    path,
  ]);
  const json = JSON.parse(res.stdout.toString('utf8')) as {
    streams: ProbedStream[];
    format: { duration: string };
  };
  return { streams: json.streams, duration: Number(json.format.duration) };
}

/** One decoded frame as packed RGB, optionally through extra filters (e.g. scale). */
export async function frameRgb(path: string, t: number, filters = 'null'): Promise<Buffer> {
  const res = await runChecked(FFMPEG_PATH, [
    '-v',
    'error',
    '-ss',
    t.toFixed(3),
    '-i',
    path,
    '-frames:v',
    '1',
    '-vf',
    filters,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]);
  return res.stdout;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function meanRgb(buf: Buffer, width: number, box: Box): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.round(box.y); y < Math.round(box.y + box.h); y++) {
    for (let x = Math.round(box.x); x < Math.round(box.x + box.w); x++) {
      const i = (y * width + x) * 3;
      sum[0] += buf[i];
      sum[1] += buf[i + 1];
      sum[2] += buf[i + 2];
      n++;
    }
  }
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

export const colourDistance = (a: number[], b: number[]) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i])));

/** Mean absolute difference between two equally sized RGB frames. */
export function frameDifference(a: Buffer, b: Buffer): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d / a.length;
}

/** Where speech starts again after each pause in the rendered audio (silencedetect). */
export async function speechOnsets(path: string): Promise<number[]> {
  const res = await runCollect(
    FFMPEG_PATH,
    [
      '-hide_banner',
      '-nostats',
      '-i',
      path,
      '-vn',
      '-af',
      'silencedetect=n=-45dB:d=0.15',
      '-f',
      'null',
      '-',
    ],
    { stderrTail: 1 << 16 },
  );
  return [...res.stderrTail.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
}

/** Integrated loudness (EBU R128, LUFS) of a file's audio, from ffmpeg's ebur128 summary. */
export async function integratedLoudness(path: string): Promise<number> {
  const res = await runCollect(
    FFMPEG_PATH,
    ['-hide_banner', '-nostats', '-i', path, '-vn', '-af', 'ebur128', '-f', 'null', '-'],
    { stderrTail: 1 << 12 },
  );
  const m = /Integrated loudness:\s*I:\s*(-?[\d.]+) LUFS/.exec(res.stderrTail);
  if (!m) throw new Error(`no ebur128 summary for ${path}`);
  return Number(m[1]);
}

/**
 * Word timings from the speech fixture's exact sentence times: the first word
 * starts and the last ends exactly with the sentence; words in between are
 * spread by length, as a recogniser would roughly place them.
 */
export function wordsFromSentences(
  sentences: Array<{ text: string; start: number; end: number }>,
): TranscriptWord[] {
  return sentences.flatMap((s) => {
    const ws = s.text.split(/\s+/);
    const total = ws.reduce((n, w) => n + w.length, 0);
    let t = s.start;
    return ws.map((w) => {
      const d = ((s.end - s.start) * w.length) / total;
      const word = { text: w, start: t, end: t + d, confidence: 0.9 };
      t += d;
      return word;
    });
  });
}

export function parseVttStarts(vtt: string): Array<{ start: number; text: string }> {
  const out: Array<{ start: number; text: string }> = [];
  const re = /(\d+):(\d+):(\d+)\.(\d+) --> [^\n]+\n([^\n]*)/g;
  for (const m of vtt.matchAll(re)) {
    out.push({
      start: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000,
      text: m[5],
    });
  }
  return out;
}

/** Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, from ffmpeg's ebur128=peak=true summary. */
export async function loudnessAndTruePeak(path: string): Promise<{ i: number; tp: number }> {
  const res = await runCollect(
    FFMPEG_PATH,
    ['-hide_banner', '-nostats', '-i', path, '-vn', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    { stderrTail: 1 << 12 },
  );
  const i = /Integrated loudness:\s*I:\s*(-?[\d.]+) LUFS/.exec(res.stderrTail);
  const tp = /True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS/.exec(res.stderrTail);
  if (!i || !tp) throw new Error(`no ebur128 summary for ${path}`);
  return { i: Number(i[1]), tp: tp[1] === '-inf' ? -Infinity : Number(tp[1]) };
}

/**
 * An ultrafast render of `source` over `start`–`end`, with no words,
 * silences, captions or crop plan unless `more` gives them.
 */
export function fastRender(
  source: string,
  media: MediaInfo,
  workDir: string,
  more: Pick<RenderRequest, 'start' | 'end' | 'aspect'> & Partial<RenderRequest>,
): RenderRequest {
  return {
    sourceUrl: source,
    media,
    words: [],
    silences: [],
    removeSilence: false,
    captions: false,
    cropPlan: null,
    workDir,
    options: { preset: 'ultrafast' },
    ...more,
  };
}
