import { selectSegments } from '@clipline/segmenting';
import { syntheticTalk } from '../support/factories/transcript.factory';

// One untimed run first so JIT warm-up is not billed to the first measured hour.
const REPEATS = 3;

function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** CPU time of selectSegments per hour of transcript on synthetic 1 h and 3 h talks; target < 1 s/h. */
export async function runSegmentingBench(): Promise<Record<string, unknown>> {
  const figures: Record<string, unknown> = { targetCpuSecPerHour: 1 };
  selectSegments(syntheticTalk({ durationSec: 600, seed: 1 }));
  for (const hours of [1, 3]) {
    const input = syntheticTalk({ durationSec: hours * 3600, seed: 100 + hours });
    const hoursOfTranscript = input.durationSec / 3600;
    const runs: number[] = [];
    let segments = 0;
    for (let i = 0; i < REPEATS; i++) {
      runs.push(cpuMs(() => (segments = selectSegments(input).segments.length)));
    }
    const worst = Math.max(...runs);
    figures[`${hours}h`] = {
      words: input.wordCount,
      transcriptHours: Number(hoursOfTranscript.toFixed(3)),
      cpuMsRuns: runs.map((r) => Number(r.toFixed(1))),
      worstCpuSecPerHour: Number((worst / 1000 / hoursOfTranscript).toFixed(4)),
      segments,
      underTarget: worst / 1000 / hoursOfTranscript < 1,
    };
  }
  console.log('segmenting bench', JSON.stringify(figures, null, 2));
  return figures;
}

if (require.main === module) {
  runSegmentingBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
