import { buildSrt } from '@clipline/rendering';
import type { ExportClip, ExportSource } from './export.types';
import { framesToSeconds } from './frame-rate';

/** The captions on the exported timeline (source frame grid), as the renderer writes SRT. */
export function writeSrt(clip: ExportClip, source: ExportSource): string {
  return buildSrt(
    clip.captions.map((c) => ({
      words: [],
      start: framesToSeconds(c.start, source.rate),
      end: framesToSeconds(c.end, source.rate),
      text: c.text,
    })),
  );
}
