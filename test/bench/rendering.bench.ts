import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { CropPlan, TranscriptWord } from '@clipline/contracts';
import { FFMPEG_PATH, probeMedia } from '@clipline/media';
import {
  planRender,
  renderClip,
  RENDER_DEFAULTS,
  SCALE_FLAGS,
  withWorkDir,
  type RenderRequest,
} from '@clipline/rendering';
import { cached } from '../fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
import { buildTalkingHead } from '../fixtures/talking-head.fixture';
import { wordsFromSentences } from '../support/render-checks';

const CLIP_SEC = 30;
const LOOPS = 24;

interface Usage {
  wallSec: number;
  /** user + system CPU seconds of the ffmpeg children, from /proc. */
  cpuSec: number;
  peakRssMb: number;
}

const TICK = 100;

/** Children of this process (ffmpeg) sampled from /proc: peak RSS (VmHWM) and CPU time. */
function watchChildren(): () => { cpuSec: number; peakRssMb: number } {
  const seen = new Map<number, { cpu: number; hwm: number }>();
  const clk = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const sample = () => {
    let kids: number[] = [];
    try {
      kids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return;
    }
    for (const pid of kids) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (!/^Name:\s*ffmpeg/m.test(status)) continue;
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        const cpu = (Number(stat[11]) + Number(stat[12])) / clk;
        const prev = seen.get(pid) ?? { cpu: 0, hwm: 0 };
        seen.set(pid, { cpu: Math.max(prev.cpu, cpu), hwm: Math.max(prev.hwm, hwm) });
      } catch {
        // the child exited between listing and reading
      }
    }
  };
  const timer = setInterval(sample, TICK);
  return () => {
    sample();
    clearInterval(timer);
    const all = [...seen.values()];
    return {
      cpuSec: all.reduce((s, x) => s + x.cpu, 0),
      peakRssMb: Math.max(0, ...all.map((x) => x.hwm)),
    };
  };
}

async function measure(fn: () => Promise<unknown>): Promise<Usage> {
  const stop = watchChildren();
  const t0 = process.hrtime.bigint();
  await fn();
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
  return { wallSec, ...stop() };
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}: ${err}`)),
    );
  });
}

/** A ~20-minute 1080p30 talk: one spoken scene looped with stream copy, so it is cheap to build. */
async function longSource() {
  const speech = await buildSpeech({
    sentences: TALK_SENTENCES,
    pauses: TALK_SENTENCES.map(() => 0.7),
  });
  const sceneSec = Math.ceil(speech.truth.durationSec);
  const scene = await buildTalkingHead({
    width: 1920,
    height: 1080,
    fps: 30,
    audioPath: speech.wavPath,
    scenes: [
      {
        duration: sceneSec,
        background: '0x243a5e',
        faces: [{ size: 640, from: { x: 200, y: 200 }, to: { x: 1100, y: 380 } }],
      },
    ],
  });
  const path = await cached('bench-long-talk.mp4', { scene: scene.path, LOOPS }, async (tmp) => {
    await run([
      '-y',
      '-v',
      'error',
      '-stream_loop',
      String(LOOPS - 1),
      '-i',
      scene.path,
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      tmp,
    ]);
  });
  return { path, sceneSec, speech, scene };
}

export async function runRenderingBench(): Promise<Record<string, unknown>> {
  const loadAvgBefore = loadavg().map((v) => Math.round(v * 100) / 100);
  const { path, sceneSec, speech, scene } = await longSource();
  const media = await probeMedia(path);
  const loops = Math.floor(media.durationSec / sceneSec);
  const words: TranscriptWord[] = [];
  const scenes: CropPlan['scenes'] = [];
  for (let i = 0; i < loops; i++) {
    const off = i * sceneSec;
    words.push(
      ...wordsFromSentences(
        speech.truth.sentences.map((s) => ({ ...s, start: s.start + off, end: s.end + off })),
      ),
    );
    const keyframes = [];
    for (let t = 0; t < sceneSec; t += 1) {
      const f = scene.facesAt(t)[0];
      keyframes.push({ t: off + t, x: f.x + f.w / 2 - 303, y: 0, w: 606, h: 1080 });
    }
    scenes.push({ sceneIndex: i, start: off, end: off + sceneSec, keyframes });
  }
  const cropPlan: CropPlan = { aspect: '9:16', sourceWidth: 1920, sourceHeight: 1080, scenes };
  const request = (start: number, workDir: string): RenderRequest => ({
    sourceUrl: path,
    media,
    start,
    end: start + CLIP_SEC,
    aspect: '9:16',
    words,
    silences: [],
    removeSilence: false,
    captions: true,
    cropPlan,
    workDir,
  });

  const minute1 = 60;
  const lastMinute = Math.floor(media.durationSec) - 45;
  const x = Math.round(scene.facesAt(minute1 % sceneSec)[0].x);
  const plan = planRender(request(minute1, '/tmp/unused'));
  // The encoder options of the real render, so the ratio measures the pipeline, not settings.
  const threadsAt = plan.args.indexOf('-threads');
  const encoder = [
    '-c:v',
    'libx264',
    '-preset',
    RENDER_DEFAULTS.preset,
    '-crf',
    String(RENDER_DEFAULTS.crf),
    '-pix_fmt',
    'yuv420p',
    '-profile:v',
    'high',
    '-g',
    String(RENDER_DEFAULTS.fps * 2),
    ...(threadsAt >= 0 ? ['-threads', plan.args[threadsAt + 1]] : []),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    '48000',
    '-movflags',
    '+faststart',
  ];
  const plain = (dir: string) =>
    run([
      '-y',
      '-v',
      'error',
      '-ss',
      String(minute1),
      '-i',
      path,
      '-t',
      String(CLIP_SEC),
      '-vf',
      `crop=606:1080:${Math.min(1920 - 606, x)}:0,scale=1080:1920:flags=${SCALE_FLAGS}`,
      ...encoder,
      `${dir}/plain.mp4`,
    ]);
  const baseline = await withWorkDir((dir) => measure(() => plain(dir)));
  const first = await withWorkDir((dir) => measure(() => renderClip(request(minute1, dir))));
  const last = await withWorkDir((dir) => measure(() => renderClip(request(lastMinute, dir))));

  const cores = cpus().length;
  const r = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
  const figures = {
    source: `${media.video?.width}x${media.video?.height}@${media.video?.fps} ${r(media.durationSec / 60, 1)} min`,
    clipSec: CLIP_SEC,
    aspect: '9:16 (1080x1920), captions, loudnorm, crop plan',
    cores,
    renderWallSec: r(first.wallSec),
    realtimeFactor: r(CLIP_SEC / first.wallSec),
    // CPU-based figure: what the clip would take alone on all cores (the bench box may be shared).
    realtimeFactorFromCpu: r(CLIP_SEC / (first.cpuSec / cores)),
    peakRssMb: r(Math.max(first.peakRssMb, last.peakRssMb), 0),
    baselineWallSec: r(baseline.wallSec),
    baselinePeakRssMb: r(baseline.peakRssMb, 0),
    overheadRatioWall: r(first.wallSec / baseline.wallSec),
    overheadRatioCpu: r(first.cpuSec / baseline.cpuSec),
    minute1WallSec: r(first.wallSec),
    lastMinuteStartSec: lastMinute,
    lastMinuteWallSec: r(last.wallSec),
    lastVsFirstRatio: r(last.wallSec / first.wallSec),
    baselineCpuSec: r(baseline.cpuSec),
    renderCpuSec: r(first.cpuSec),
    // What x264 veryfast alone allows on this CPU: the plain encode's CPU spread over all cores.
    baselineRealtimeFactorFromCpu: r(CLIP_SEC / (baseline.cpuSec / cores)),
    encoder: `${RENDER_DEFAULTS.preset} crf ${RENDER_DEFAULTS.crf}, scale ${SCALE_FLAGS}, threads ${threadsAt >= 0 ? plan.args[threadsAt + 1] : 'auto'}`,
    loadAverage1m: r(loadavg()[0], 1),
    loadAvgBefore,
    loadAvgAfter: loadavg().map((v) => r(v)),
  };
  console.log('[rendering bench]', JSON.stringify(figures, null, 2));
  return figures;
}

if (require.main === module) {
  runRenderingBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
