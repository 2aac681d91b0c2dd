import type { LayoutResult, SilenceResult, TranscriptResult } from '@clipline/contracts';
import { layoutOutputs, silenceOutputs, transcriptOutputs } from '@clipline/pipeline';
import type { DataSource } from 'typeorm';

/** Reads the three upstream results back from Postgres into the engine's input shapes. */
export async function loadSegmentingInputs(
  ds: DataSource,
  jobId: string,
): Promise<{
  transcript: TranscriptResult | null;
  silence: SilenceResult | null;
  layout: LayoutResult | null;
}> {
  const m = ds.manager;
  const [transcript, silence, layout] = await Promise.all([
    transcriptOutputs.read(m, jobId),
    silenceOutputs.readResult(m, jobId),
    layoutOutputs.read(m, jobId),
  ]);
  return { transcript, silence, layout };
}
