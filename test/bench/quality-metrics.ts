import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FFMPEG_PATH, FFPROBE_PATH } from '@clipline/media';
import type { QualitySource, QualityTruth, Utterance } from './quality-fixtures';
import { editDistance } from '../support/word-error';

// Async on purpose: s3rver serves the downloads from this same process.
const exec = promisify(execFile);

/** The hard rules a creator sees (issue 16). */
export const QUALITY_RULES = {
  maxNonSpeechRatio: 0.15,
  edgeSec: 0.25,
  /** Speech overlapping an edge by less than this is frame rounding, not a clipped word. */
  edgeSpeechToleranceSec: 0.03,
  /** A clip must not open on a shot that lasts less than this. */
  cutLeadSec: 1.5,
  /** Nor end on a flash of a new shot shorter than this. */
  cutTailSec: 1,
  /** One frame at 25 fps: a cut this close to an edge is the edge. */
  frameSec: 0.04,
  loudnessTarget: -14,
  loudnessToleranceLu: 1,
  maxTruePeakDb: -1,
  /** A caption over this much music or silence is a caption over non-speech. */
  captionNonSpeechSec: 1,
  /** Gaps between voices longer than this are non-speech; shorter ones are the pauses of speech. */
  nonSpeechGapSec: 2.5,
} as const;

export type Api = <T>(method: string, path: string) => Promise<T>;

export interface ClipQuality {
  clipId: string;
  rank: number | null;
  start: number;
  end: number;
  /** MP4 duration minus the window: shows the window is what was rendered. */
  durationDriftSec: number | null;
  nonSpeechRatio: number;
  startInSpeech: boolean;
  endInSpeech: boolean;
  /** RMS of the clip's own first and last 250 ms, dBFS. */
  startRmsDb: number | null;
  endRmsDb: number | null;
  /** The clip opens on a shot shorter than cutLeadSec. */
  startBeforeCut: boolean;
  /** The clip ends on a flash of a new shot shorter than cutTailSec. */
  endAfterCut: boolean;
  captionsOverNonSpeech: number;
  cues: number;
  lufs: number | null;
  truePeakDb: number | null;
  refWords: number;
  werFast: number | null;
  werCaptions: number | null;
}

export interface QualityResult {
  fixture: string;
  sourceSec: number;
  jobId: string;
  status: string;
  options: Record<string, unknown>;
  shortfall: unknown;
  /** Fast tier (transcript endpoint), all utterances with a reference. */
  werTranscript: number | null;
  /** Inside the clip windows: the fast tier's words vs the clips' VTT captions. */
  werFastInClips: number | null;
  werCaptions: number | null;
  /** Relative gain of the captions over the fast tier in the same windows (target ≥ 0.15). */
  captionGain: number | null;
  clipsOverNonSpeech: number;
  edgesInSpeech: number;
  edgesNearCut: number;
  captionsOverNonSpeech: number;
  clipsOffLoudness: number;
  clipsOverPeak: number;
  clips: ClipQuality[];
  diagnostics: QualityDiagnostics;
  measuredAt: string;
  build?: string;
  error?: string;
}

type Span = [number, number];

/** Why the figures are what they are: the stage outputs (from the API) against the truth. */
export interface QualityDiagnostics {
  /** Share of the talking stretches (everything but music alone, dead air and long gaps) that the truth hears as unvoiced. */
  truthPauseShareInTalk: number;
  /** Share of the same stretches the silence stage reports as silence or music (what the floor counts). */
  pipelinePauseShareInTalk: number;
  /** The same share split: plain talk, and talk over a music bed; and by region kind. */
  pipelinePauseShareInPlainTalk: number;
  pipelinePauseShareInTalkOverBed: number | null;
  pipelinePauseSecInTalkByKind: Record<string, number>;
  /** Lowest such share over any 20 s window of talk (the shortest default clip). */
  pipelineBestWindowPauseShare20s: number | null;
  /** Scene cuts of the truth found by layout within 0.5 s, and layout's cut count. */
  cutsFound: number;
  cutsTruth: number;
  cutsReported: number;
}

export function words(s: string): string[] {
  return s
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .replace(/[-–]/g, ' ')
    .replace(/[^a-z0-9' ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

const overlap = (a: Span, b: Span) => Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
const overlapAll = (spans: Span[], w: Span) => spans.reduce((n, s) => n + overlap(s, w), 0);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Where nobody talks for longer than a pause: music beds alone, dead air, long gaps. */
export function nonSpeechSpans(t: QualityTruth): Span[] {
  const voiced = t.utterances.flatMap((u) => u.active).sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  let last = 0;
  for (const [a, b] of voiced) {
    if (a - last > QUALITY_RULES.nonSpeechGapSec) out.push([last, a]);
    last = Math.max(last, b);
  }
  if (t.durationSec - last > QUALITY_RULES.nonSpeechGapSec) out.push([last, t.durationSec]);
  return out;
}

export function speechSpans(t: QualityTruth): Span[] {
  return t.utterances.flatMap((u) => u.active);
}

/** The reference words said inside the window: whole utterances, or the share of a cut one. */
function referenceIn(t: QualityTruth, w: Span): string[] {
  const out: string[] = [];
  for (const u of t.utterances) {
    if (!u.text) continue;
    const total = overlapAll(u.active, [u.start, u.end]);
    const inside = overlapAll(u.active, w);
    if (inside <= 0) continue;
    const ws = words(u.text);
    const k = Math.round((ws.length * inside) / total);
    out.push(...(w[0] > u.start ? ws.slice(ws.length - k) : ws.slice(0, k)));
  }
  return out;
}

/** Hypothesis words inside the window, minus those over voices without a reference. */
function hypothesisIn(
  t: QualityTruth,
  hyp: Array<{ text: string; start: number; end: number }>,
  w: Span,
): string[] {
  const unknown = t.utterances
    .filter((u) => !u.text)
    .map((u): Span => [u.start - 0.25, u.end + 0.25]);
  return hyp
    .filter((h) => {
      const mid = (h.start + h.end) / 2;
      return mid >= w[0] && mid <= w[1] && !unknown.some(([a, b]) => mid >= a && mid <= b);
    })
    .flatMap((h) => words(h.text));
}

interface Cue {
  start: number;
  end: number;
  text: string;
}

export function parseVtt(vtt: string): Cue[] {
  const sec = (x: string) => {
    const p = x.split(':').map(Number);
    return p.reduce((s, v) => s * 60 + v, 0);
  };
  const out: Cue[] = [];
  for (const block of vtt.replace(/\r/g, '').split(/\n\n+/)) {
    const lines = block.split('\n');
    const i = lines.findIndex((l) => l.includes('-->'));
    if (i < 0) continue;
    const [a, b] = lines[i].split('-->').map((x) => x.trim().split(/\s+/)[0]);
    out.push({ start: sec(a), end: sec(b), text: lines.slice(i + 1).join(' ') });
  }
  return out;
}

/** Each cue's words spread evenly over the cue, on the source timeline. */
function cueWords(cues: Cue[], offset: number) {
  return cues.flatMap((c) => {
    const ws = words(c.text);
    const step = (c.end - c.start) / Math.max(1, ws.length);
    return ws.map((text, k) => ({
      text,
      start: offset + c.start + k * step,
      end: offset + c.start + (k + 1) * step,
    }));
  });
}

async function ffmpegStderr(args: string[]): Promise<string> {
  const r = await exec(FFMPEG_PATH, ['-hide_banner', '-nostats', ...args, '-f', 'null', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return r.stderr;
}

export async function loudnessOf(
  url: string,
): Promise<{ lufs: number | null; truePeakDb: number | null }> {
  const err = await ffmpegStderr(['-i', url, '-vn', '-af', 'ebur128=peak=true']);
  const summary = err.slice(err.lastIndexOf('Summary:'));
  const num = (re: RegExp) => {
    const m = re.exec(summary);
    return m && m[1] !== '-inf' ? Number(m[1]) : null;
  };
  return {
    lufs: num(/I:\s+(-?[\d.]+|-inf) LUFS/),
    truePeakDb: num(/Peak:\s+(-?[\d.]+|-inf) dBFS/),
  };
}

/** RMS of 250 ms at the head (`head`) or tail of the clip's audio, dBFS. */
export async function edgeRmsDb(url: string, head: boolean): Promise<number | null> {
  const seek = head ? ['-ss', '0'] : ['-sseof', `-${QUALITY_RULES.edgeSec}`];
  const err = await ffmpegStderr([
    ...seek,
    ...['-i', url, '-t', String(QUALITY_RULES.edgeSec), '-vn', '-af', 'volumedetect'],
  ]);
  // volumedetect's mean_volume is the RMS level of the span.
  const m = /mean_volume:\s*(-?[\d.]+|-inf)/.exec(err);
  return m && m[1] !== '-inf' ? Math.round(Number(m[1]) * 10) / 10 : null;
}

async function durationOf(url: string): Promise<number | null> {
  const r = await exec(FFPROBE_PATH, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    url,
  ]);
  const d = Number(r.stdout.trim());
  return Number.isFinite(d) ? d : null;
}

function diagnose(
  t: QualityTruth,
  nonSpeech: Span[],
  speech: Span[],
  regions: Array<{ kind: string; start: number; end: number }>,
  layoutCuts: number[],
): QualityDiagnostics {
  const clipTo = (spans: Span[], by: Span[]) =>
    spans
      .flatMap((x) => by.map((y): Span => [Math.max(x[0], y[0]), Math.min(x[1], y[1])]))
      .filter(([a, b]) => b > a);
  const talk: Span[] = [];
  let last = 0;
  for (const [a, b] of [...nonSpeech, [t.durationSec, t.durationSec] as Span]) {
    if (a > last) talk.push([last, a]);
    last = b;
  }
  const pauses = regions.map((r): Span => [r.start, r.end]);
  const talkSec = talk.reduce((n, [a, b]) => n + b - a, 0);
  const inTalk = (spans: Span[]) => talk.reduce((n, w) => n + overlapAll(spans, w), 0);
  let best: number | null = null;
  for (const [a, b] of talk)
    for (let x = a; x + 20 <= b; x += 0.5) {
      const share = overlapAll(pauses, [x, x + 20]) / 20;
      best = best === null ? share : Math.min(best, share);
    }
  const bedTalk = clipTo(talk, t.beds);
  const bedSec = bedTalk.reduce((n, [a, b]) => n + b - a, 0);
  const inBed = bedTalk.reduce((n, w) => n + overlapAll(pauses, w), 0);
  const byKind: Record<string, number> = {};
  for (const r of regions) byKind[r.kind] = r3((byKind[r.kind] ?? 0) + inTalk([[r.start, r.end]]));
  return {
    truthPauseShareInTalk: r3(1 - inTalk(speech) / talkSec),
    pipelinePauseShareInTalk: r3(inTalk(pauses) / talkSec),
    pipelinePauseShareInPlainTalk: r3((inTalk(pauses) - inBed) / (talkSec - bedSec)),
    pipelinePauseShareInTalkOverBed: bedSec ? r3(inBed / bedSec) : null,
    pipelinePauseSecInTalkByKind: byKind,
    pipelineBestWindowPauseShare20s: best === null ? null : r3(best),
    cutsFound: t.cuts.filter((c) => layoutCuts.some((x) => Math.abs(x - c) <= 0.5)).length,
    cutsTruth: t.cuts.length,
    cutsReported: layoutCuts.length,
  };
}

interface ClipView {
  id: string;
  segmentId: string;
  rank: number | null;
  status: string;
  downloads: { video: string; vtt: string | null } | null;
}

interface SegmentView {
  id: string;
  start: number;
  end: number;
}

/** Every figure from what a creator gets: the API's clips and segments, the MP4s, the VTTs, the transcript. */
export async function measureQuality(
  src: QualitySource,
  jobId: string,
  api: Api,
  status: string,
  options: Record<string, unknown>,
): Promise<QualityResult> {
  const t = src.truth;
  const R = QUALITY_RULES;
  const nonSpeech = nonSpeechSpans(t);
  const speech = speechSpans(t);
  const { clips } = await api<{ clips: ClipView[] }>('GET', `/v1/jobs/${jobId}/clips`);
  const segs = await api<{
    selected: SegmentView[];
    summary: { candidates?: number; requested?: number; shortfallReason?: string | null } | null;
  }>('GET', `/v1/jobs/${jobId}/segments`);
  const transcript = await api<{ words: Array<{ text: string; start: number; end: number }> }>(
    'GET',
    `/v1/jobs/${jobId}/transcript`,
  );
  const silences = await api<{ regions: Array<{ kind: string; start: number; end: number }> }>(
    'GET',
    `/v1/jobs/${jobId}/silences`,
  );
  const layout = await api<{ sceneCuts: number[] }>('GET', `/v1/jobs/${jobId}/layout`);
  const diagnostics = diagnose(t, nonSpeech, speech, silences.regions, layout.sceneCuts);
  const allRef = t.utterances
    .filter((u): u is Utterance & { text: string } => !!u.text)
    .flatMap((u) => words(u.text));
  const allHyp = hypothesisIn(t, transcript.words, [0, t.durationSec]);
  const out: ClipQuality[] = [];
  let refN = 0;
  let fastErr = 0;
  let capErr = 0;
  let capN = 0;
  for (const c of clips.filter((x) => x.status === 'completed' && x.downloads)) {
    const seg = segs.selected.find((s) => s.id === c.segmentId);
    if (!seg) throw new Error(`clip ${c.id}: its segment ${c.segmentId} is not among the selected`);
    const w: Span = [seg.start, seg.end];
    const len = w[1] - w[0];
    const head: Span = [w[0], w[0] + R.edgeSec];
    const tail: Span = [w[1] - R.edgeSec, w[1]];
    const cuts = t.cuts;
    const vtt = c.downloads!.vtt ? await (await fetch(c.downloads!.vtt)).text() : '';
    const cues = parseVtt(vtt).map((q) => ({ ...q, start: q.start + w[0], end: q.end + w[0] }));
    const ref = referenceIn(t, w);
    const fast = hypothesisIn(t, transcript.words, w);
    const cap = hypothesisIn(t, cueWords(parseVtt(vtt), w[0]), w);
    const eFast = editDistance(ref, fast);
    const eCap = editDistance(ref, cap);
    refN += ref.length;
    fastErr += eFast;
    capErr += eCap;
    capN += cues.length;
    const video = c.downloads!.video;
    const [loud, startRms, endRms, dur] = [
      await loudnessOf(video),
      await edgeRmsDb(video, true),
      await edgeRmsDb(video, false),
      await durationOf(video),
    ];
    out.push({
      clipId: c.id,
      rank: c.rank,
      start: r3(w[0]),
      end: r3(w[1]),
      durationDriftSec: dur === null ? null : r3(dur - len),
      nonSpeechRatio: r3(overlapAll(nonSpeech, w) / len),
      startInSpeech: overlapAll(speech, head) > R.edgeSpeechToleranceSec,
      endInSpeech: overlapAll(speech, tail) > R.edgeSpeechToleranceSec,
      startRmsDb: startRms,
      endRmsDb: endRms,
      startBeforeCut: cuts.some((x) => x > w[0] + R.frameSec && x < w[0] + R.cutLeadSec),
      endAfterCut: cuts.some((x) => x > w[1] - R.cutTailSec && x < w[1] - R.frameSec),
      captionsOverNonSpeech: cues.filter(
        (q) => overlapAll(nonSpeech, [q.start, q.end]) > R.captionNonSpeechSec,
      ).length,
      cues: cues.length,
      lufs: loud.lufs,
      truePeakDb: loud.truePeakDb,
      refWords: ref.length,
      werFast: ref.length ? r3(eFast / ref.length) : null,
      werCaptions: ref.length && capN ? r3(eCap / ref.length) : null,
    });
  }
  const werFastInClips = refN ? r3(fastErr / refN) : null;
  const werCaptions = refN && capN ? r3(capErr / refN) : null;
  const offLoudness = (q: ClipQuality) =>
    q.lufs === null || Math.abs(q.lufs - R.loudnessTarget) > R.loudnessToleranceLu + 1e-9;
  return {
    fixture: src.name,
    sourceSec: t.durationSec,
    jobId,
    status,
    options,
    shortfall: segs.summary?.shortfallReason
      ? { ...segs.summary, selected: segs.selected.length }
      : null,
    werTranscript: allRef.length ? r3(editDistance(allRef, allHyp) / allRef.length) : null,
    werFastInClips,
    werCaptions,
    captionGain:
      werFastInClips && werCaptions !== null
        ? r3((werFastInClips - werCaptions) / werFastInClips)
        : null,
    clipsOverNonSpeech: out.filter((q) => q.nonSpeechRatio > R.maxNonSpeechRatio + 1e-9).length,
    edgesInSpeech: out.reduce((n, q) => n + Number(q.startInSpeech) + Number(q.endInSpeech), 0),
    edgesNearCut: out.reduce((n, q) => n + Number(q.startBeforeCut) + Number(q.endAfterCut), 0),
    captionsOverNonSpeech: out.reduce((n, q) => n + q.captionsOverNonSpeech, 0),
    clipsOffLoudness: out.filter(offLoudness).length,
    clipsOverPeak: out.filter((q) => q.truePeakDb === null || q.truePeakDb > R.maxTruePeakDb)
      .length,
    clips: out,
    diagnostics,
    measuredAt: new Date().toISOString(),
  };
}
