import { BenchSession } from './pipeline.bench';
import { buildQualitySource, QUALITY_BENCH_SOURCE, type QualitySource } from './quality-fixtures';
import { measureQuality, QUALITY_RULES, type Api, type QualityResult } from './quality-metrics';

/**
 * Two jobs on the same source: the defaults a creator leaves alone (20-60 s
 * clips) and short clips (12-30 s), so the edge, cut and loudness figures have
 * clips to measure even when the defaults yield few.
 */
export const QUALITY_JOB_OPTIONS: Array<Record<string, unknown>> = [
  { clipCount: 4, aspects: ['9:16'], captions: true },
  { clipCount: 6, minClipSeconds: 12, maxClipSeconds: 30, aspects: ['9:16'], captions: true },
];

/** Uploads a quality source once per option set through the API of one fresh stack and measures what comes back. */
export async function runQualityJobs(
  src: QualitySource,
  optionSets: Array<Record<string, unknown>>,
  timeoutMs = 20 * 60_000,
): Promise<QualityResult[]> {
  const session = new BenchSession(1);
  await session.start();
  const api: Api = (method, path) => session.api(method, path);
  const out: QualityResult[] = [];
  try {
    for (const options of optionSets) {
      const uploadId = await session.upload(src.path, options);
      const job = await session.api<{ id: string }>('POST', `/v1/uploads/${uploadId}/complete`);
      console.log(`[quality ${src.name}] job ${job.id} for ${src.path}`);
      const status = await session.waitJob(job.id, timeoutMs);
      if (status !== 'completed') {
        const j = await session.api<{ error?: string }>('GET', `/v1/jobs/${job.id}`);
        throw new Error(`job ${status}: ${j.error ?? ''}\n${session.stack.tails()}`);
      }
      out.push(await measureQuality(src, job.id, api, status, options));
    }
    return out;
  } finally {
    await session.stop();
  }
}

export async function runQualityBench(): Promise<QualityResult[]> {
  const src = await buildQualitySource(QUALITY_BENCH_SOURCE);
  const runs = await runQualityJobs(src, QUALITY_JOB_OPTIONS);
  for (const r of runs) console.log(qualityLines(r).join('\n'));
  return runs;
}

const f = (x: number | null, unit = '') => (x === null ? '–' : `${x}${unit}`);
const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const yes = (b: boolean) => (b ? '**yes**' : 'no');

/** The report section (also printed by the bench). */
export function qualityLines(r: QualityResult): string[] {
  const R = QUALITY_RULES;
  const n = r.clips.length;
  const d = r.diagnostics;
  return [
    `Source: ${r.fixture}, ${Math.round(r.sourceSec)} s (real speech-dev utterances, jfk.wav, a music bed alone, speech over a ducked bed, dead air, scene cuts); options \`${JSON.stringify(r.options)}\`; ${n} clips; job ${r.status}${r.shortfall ? `; shortfall ${JSON.stringify(r.shortfall)}` : ''}.`,
    '',
    '| Measure | Value | Target |',
    '| --- | ---: | ---: |',
    `| WER, transcript (fast tier, all utterances with a reference) | ${f(r.werTranscript)} | – |`,
    `| WER, fast tier inside the clip windows | ${f(r.werFastInClips)} | – |`,
    `| WER, clip captions (VTT) | ${f(r.werCaptions)} | ≥ 15% below fast |`,
    `| Caption gain over fast tier (relative) | ${f(r.captionGain)} | ≥ 0.15 |`,
    `| Clips with > ${R.maxNonSpeechRatio * 100}% non-speech | ${r.clipsOverNonSpeech} / ${n} | 0 |`,
    `| Edges inside speech (first/last ${R.edgeSec * 1000} ms) | ${r.edgesInSpeech} / ${2 * n} | 0 |`,
    `| Edges near a cut (opens < ${R.cutLeadSec} s before one, or ends < ${R.cutTailSec} s after one) | ${r.edgesNearCut} / ${2 * n} | 0 |`,
    `| Captions over > ${R.captionNonSpeechSec} s of non-speech | ${r.captionsOverNonSpeech} | 0 |`,
    `| Clips off ${R.loudnessTarget} ± ${R.loudnessToleranceLu} LUFS | ${r.clipsOffLoudness} / ${n} | 0 |`,
    `| Clips over ${R.maxTruePeakDb} dBTP | ${r.clipsOverPeak} / ${n} | 0 |`,
    '',
    `Diagnostics: the silence stage reports ${pct(d.pipelinePauseShareInTalk)} of the talking stretches as silence or music ` +
      `(the truth hears ${pct(d.truthPauseShareInTalk)} unvoiced; the best 20 s window of talk has ${pct(d.pipelineBestWindowPauseShare20s)}; ` +
      `plain talk ${pct(d.pipelinePauseShareInPlainTalk ?? null)}, talk over a bed ${pct(d.pipelinePauseShareInTalkOverBed ?? null)}; seconds by kind ${JSON.stringify(d.pipelinePauseSecInTalkByKind ?? {})}); ` +
      `layout found ${d.cutsFound} of ${d.cutsTruth} scene cuts (${d.cutsReported} reported).`,
    '',
    '| Rank | Window (s) | Non-speech | Start in speech | End in speech | Edge RMS (dBFS) | Near cut (start/end) | Captions over non-speech | LUFS | dBTP | Ref words | WER fast | WER captions |',
    '| ---: | --- | ---: | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.clips.map(
      (c) =>
        `| ${f(c.rank)} | ${c.start}–${c.end} | ${c.nonSpeechRatio} | ${yes(c.startInSpeech)} | ${yes(c.endInSpeech)} | ${f(c.startRmsDb)} / ${f(c.endRmsDb)} | ${yes(c.startBeforeCut)} / ${yes(c.endAfterCut)} | ${c.captionsOverNonSpeech} of ${c.cues} | ${f(c.lufs)} | ${f(c.truePeakDb)} | ${c.refWords} | ${f(c.werFast)} | ${f(c.werCaptions)} |`,
    ),
  ];
}

/** The issue's targets for one quality run; a run without clips meets none of the hard rules. */
export function qualityTargets(
  r: QualityResult,
): Array<{ target: string; measured: string; met: boolean | null }> {
  const n = r.clips.length;
  const opts = `${r.fixture} ${JSON.stringify(r.options)}`;
  const hard = [r.clipsOverNonSpeech, r.edgesInSpeech, r.edgesNearCut, r.captionsOverNonSpeech];
  return [
    {
      target: `quality, ${opts}: 0 clips over 15% non-speech, 0 edges in speech, 0 near cuts, 0 captions over non-speech`,
      measured: `${n} clips: ${hard.join(', ')}`,
      met: n > 0 && hard.every((x) => x === 0),
    },
    {
      target: `quality, ${opts}: every clip -14 ± 1 LUFS and ≤ -1 dBTP`,
      measured: `${n} clips: ${r.clipsOffLoudness} off loudness, ${r.clipsOverPeak} over the peak`,
      met: n > 0 && r.clipsOffLoudness === 0 && r.clipsOverPeak === 0,
    },
    {
      target: `quality, ${opts}: caption WER ≥ 15% (relative) below the fast tier`,
      measured: `fast ${f(r.werFastInClips)}, captions ${f(r.werCaptions)}, gain ${f(r.captionGain)}`,
      met: r.captionGain === null ? null : r.captionGain >= 0.15,
    },
  ];
}
