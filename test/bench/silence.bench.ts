import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { FFMPEG_PATH, pcmFloat32Stream, probeMedia, runCollect } from '@clipline/media';
import {
  chooseThreshold,
  detectSilence,
  LevelMeter,
  loudnessRegions,
  matchRegions,
  resolveSilenceOptions,
  SileroVad,
  type Span,
} from '@clipline/silence';
import { cached } from '../fixtures/fixture-cache';
import { buildBenchTalk } from './bench-fixtures';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';

const EXTRA = [
  'The weather was calm and the sea was flat',
  'She opened the door and walked into the garden',
  'Every morning the baker lights the old stone oven',
  'Nobody expected the small team to win the final match',
];
const BASE_PAUSES = [0.3, 1.0, 0.5, 3.0, 0.4, 2.0, 0.3, 0.8, 1.5, 0.6, 0.35, 2.5];

/** ~10 minutes of espeak speech with known gaps; looped 6× it is the 60-minute source. */
async function buildBase() {
  const pool = [...TALK_SENTENCES, ...EXTRA];
  const sentences: string[] = [];
  const pauses: number[] = [];
  for (let i = 0; i < 150; i++) {
    sentences.push(pool[i % pool.length]);
    pauses.push(BASE_PAUSES[i % BASE_PAUSES.length]);
  }
  return buildSpeech({ sentences, pauses });
}

async function decodeAll(path: string): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let n = 0;
  for await (const c of pcmFloat32Stream(path)) {
    parts.push(c);
    n += c.length;
  }
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** F1 where a pair counts only if both of its boundaries are within `tol` seconds. */
function boundaryF1(a: Span[], b: Span[], tol: number): number {
  const m = matchRegions(a, b, 0.3);
  const ok = m.pairs.filter((p) => Math.abs(p.startErr) <= tol && Math.abs(p.endErr) <= tol).length;
  const precision = b.length ? ok / b.length : 1;
  const recall = a.length ? ok / a.length : 1;
  return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
}

async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; sec: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const iv = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, sec: (performance.now() - t0) / 1000, peakRssMb: Math.round(peak / 2 ** 20) };
  } finally {
    clearInterval(iv);
  }
}

export async function runSilenceBench(): Promise<Record<string, unknown>> {
  const base = await buildBase();
  const loops = 6;
  // AAC in MP4, as an uploaded video's audio would be: decode cost is part of the stage.
  const source = await cached(
    'silence-bench-60min.m4a',
    { base: base.truthPath, loops },
    async (out) => {
      execFileSync(FFMPEG_PATH, [
        '-v',
        'error',
        '-stream_loop',
        String(loops - 1),
        '-i',
        base.wavPath,
        '-ac',
        '1',
        '-ar',
        '44100',
        '-c:a',
        'aac',
        '-b:a',
        '96k',
        '-f',
        'mp4',
        out,
      ]);
    },
  );
  const media = await probeMedia(source);
  const baseDur = base.truth.durationSec;
  const truth: Span[] = [];
  for (let k = 0; k < loops; k++) {
    for (const g of base.truth.gaps)
      truth.push({ start: g.start + k * baseDur, end: g.end + k * baseDur });
  }
  // Looping joins the trailing pause of one copy and the lead-in of the next.
  const merged: Span[] = [];
  for (const g of truth) {
    const last = merged[merged.length - 1];
    if (last && g.start - last.end < 1e-3) last.end = g.end;
    else merged.push({ ...g });
  }

  // 1. The whole stage (one decode, loudness + VAD) on the 60-minute AAC source.
  const stage = await timed(() => detectSilence(source, media, {}));
  const res = stage.value;
  const silence = res.regions.filter((r) => r.kind === 'silence');
  const nonSpeech = res.regions.filter((r) => r.kind === 'non_speech');
  const loudOnly = await timed(() => detectSilence(source, media, { vad: false }));
  // The same stage on the pipeline's 60-minute 1080p talk: the audio has to be
  // demuxed out of ~3 GB of interleaved video, which the AAC file above skips.
  const talk = await buildBenchTalk(60);
  const talkMedia = await probeMedia(talk.path);
  const onTalk = await timed(() => detectSilence(talk.path, talkMedia, {}));

  // 2. Detector speeds on already-decoded PCM (the 10-minute base, repeated to 60 minutes).
  const pcm = await decodeAll(base.wavPath);
  const opts = resolveSilenceOptions({});
  const tL = performance.now();
  const meter = new LevelMeter(16000, opts.windowMs, baseDur * loops);
  for (let k = 0; k < loops; k++) meter.push(pcm);
  meter.finish();
  const thr = chooseThreshold(meter, opts);
  loudnessRegions(meter, thr.thresholdDb, opts, baseDur * loops);
  const loudSec = (performance.now() - tL) / 1000;

  const vad = await SileroVad.create({}, baseDur);
  const tV = performance.now();
  await vad.push(pcm);
  await vad.finish();
  const vadSec = (performance.now() - tV) / 1000;

  // 3. ffmpeg's silencedetect on the same source at the threshold we chose.
  const tF = performance.now();
  const sd = await runCollect(
    FFMPEG_PATH,
    [
      '-hide_banner',
      '-nostats',
      '-i',
      source,
      '-af',
      `silencedetect=n=${res.summary.thresholdDb}dB:d=${opts.minSilenceMs / 1000}`,
      '-f',
      'null',
      '-',
    ],
    { stderrTail: 1 << 22 },
  );
  const ffSec = (performance.now() - tF) / 1000;
  const ffRegions: Span[] = [];
  let open: number | null = null;
  for (const line of sd.stderrTail.split('\n')) {
    const s = /silence_start: (-?[\d.]+)/.exec(line);
    const e = /silence_end: ([\d.]+)/.exec(line);
    if (s) open = Math.max(0, Number(s[1]));
    if (e && open !== null) {
      ffRegions.push({ start: open, end: Number(e[1]) });
      open = null;
    }
  }
  if (open !== null) ffRegions.push({ start: open, end: media.durationSec });

  const durMin = media.durationSec / 60;
  const figures = {
    sourceMinutes: Math.round(durMin * 10) / 10,
    stageWallSec: round(stage.sec),
    stageXRealtime: Math.round(media.durationSec / stage.sec),
    stagePeakRssMb: stage.peakRssMb,
    stageOnTalkVideoMinutes: Math.round(talkMedia.durationSec / 6) / 10,
    stageOnTalkVideoWallSec: round(onTalk.sec),
    stageOnTalkVideoPeakRssMb: onTalk.peakRssMb,
    loudnessOnlyStageWallSec: round(loudOnly.sec),
    loudnessDetectorXRealtime: Math.round((baseDur * loops) / loudSec),
    vadXRealtime: Math.round(baseDur / vadSec),
    thresholdDb: res.summary.thresholdDb,
    speechRatio: res.summary.speechRatio,
    silenceF1vsTruth: round(matchRegions(merged, silence).f1),
    nonSpeechF1vsTruth: round(matchRegions(merged, nonSpeech).f1),
    ffmpegSilencedetectWallSec: round(ffSec),
    silencedetectOverLoudnessStageTime: round(ffSec / loudOnly.sec),
    silencedetectRegions: ffRegions.length,
    ourSilenceRegions: silence.length,
    silencedetectAgreementF1At100ms: round(boundaryF1(ffRegions, silence, 0.1)),
  };
  console.log('silence bench', figures);
  return figures;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (require.main === module) {
  runSilenceBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
