import { BenchSession } from './pipeline.bench';
import { buildQualitySource, QUALITY_BENCH_SOURCE, type QualitySource } from './quality-fixtures';
import { measureQuality, QUALITY_RULES, type QualityResult } from './quality-metrics';

/** Defaults a creator would leave alone, a few clips asked for on a 3-minute source. */
export const QUALITY_JOB_OPTIONS = { clipCount: 4, aspects: ['9:16'], captions: true };

/** Uploads a quality source through the API of a fresh stack and measures what comes back. */
export async function runQualityJob(
  src: QualitySource,
  options: Record<string, unknown> = QUALITY_JOB_OPTIONS,
  timeoutMs = 20 * 60_000,
): Promise<QualityResult> {
  const session = new BenchSession(1);
  await session.start();
  try {
    const uploadId = await session.upload(src.path, options);
    const job = await session.api<{ id: string }>('POST', `/v1/uploads/${uploadId}/complete`);
    console.log(`[quality ${src.name}] job ${job.id} for ${src.path}`);
    const status = await session.waitJob(job.id, timeoutMs);
    if (status !== 'completed') {
      const j = await session.api<{ error?: string }>('GET', `/v1/jobs/${job.id}`);
      throw new Error(`job ${status}: ${j.error ?? ''}\n${session.stack.tails()}`);
    }
    return await measureQuality(
      src,
      job.id,
      (method, path) => session.api(method, path),
      status,
      options,
    );
  } finally {
    await session.stop();
  }
}

export async function runQualityBench(): Promise<QualityResult> {
  const src = await buildQualitySource(QUALITY_BENCH_SOURCE);
  const r = await runQualityJob(src);
  for (const line of qualityLines(r)) console.log(line);
  return r;
}

const f = (x: number | null, unit = '') => (x === null ? '–' : `${x}${unit}`);
const yes = (b: boolean) => (b ? '**yes**' : 'no');

/** The report section (also printed by the bench). */
export function qualityLines(r: QualityResult): string[] {
  const R = QUALITY_RULES;
  const n = r.clips.length;
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
    '| Rank | Window (s) | Non-speech | Start in speech | End in speech | Edge RMS (dBFS) | Near cut (start/end) | Captions over non-speech | LUFS | dBTP | Ref words | WER fast | WER captions |',
    '| ---: | --- | ---: | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.clips.map(
      (c) =>
        `| ${f(c.rank)} | ${c.start}–${c.end} | ${c.nonSpeechRatio} | ${yes(c.startInSpeech)} | ${yes(c.endInSpeech)} | ${f(c.startRmsDb)} / ${f(c.endRmsDb)} | ${yes(c.startBeforeCut)} / ${yes(c.endAfterCut)} | ${c.captionsOverNonSpeech} of ${c.cues} | ${f(c.lufs)} | ${f(c.truePeakDb)} | ${c.refWords} | ${f(c.werFast)} | ${f(c.werCaptions)} |`,
    ),
  ];
}
