import type { ExportDocument } from './export.types';
import { canDropFrame, framesToTimecode } from './timecode';
import { placeEvents } from './timeline';

/** CMX 3600 allows a title of 70 printable ASCII characters, nothing else. */
const ascii = (s: string, max: number) =>
  s
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max) || 'CLIPLINE';

/**
 * CMX 3600 EDL: cuts only, so no reframe and no captions. Every clip of the
 * document follows the previous one on the record side, each introduced by a
 * comment with its name. The reel is AX (a file, not a tape) and the source
 * file name rides in the FROM CLIP NAME comment, which is what Premiere,
 * Resolve and Avid relink by. 29.97 and 59.94 are written drop-frame.
 */
export function writeEdl(doc: ExportDocument): string {
  const { source } = doc;
  const r = source.rate;
  const df = canDropFrame(r);
  const tc = (f: number) => framesToTimecode(f, r, df);
  const channel = source.hasVideo ? (source.hasAudio ? 'B' : 'V') : 'A';
  const out = [
    `TITLE: ${ascii(doc.title, 70)}`,
    `FCM: ${df ? 'DROP FRAME' : 'NON-DROP FRAME'}`,
    '',
  ];
  let rec = 0;
  let n = 0;
  for (const clip of doc.clips) {
    out.push(`* CLIP: ${ascii(clip.name, 70)}`);
    for (const e of placeEvents(clip.cuts, rec)) {
      n += 1;
      if (n > 999) throw new RangeError('a CMX 3600 EDL holds at most 999 events');
      out.push(
        `${String(n).padStart(3, '0')}  ${'AX'.padEnd(8)} ${channel.padEnd(5)} C        ` +
          `${tc(e.sourceIn)} ${tc(e.sourceOut)} ${tc(e.recIn)} ${tc(e.recOut)}`,
        `* FROM CLIP NAME: ${ascii(source.fileName, 120)}`,
        '',
      );
      rec = e.recOut;
    }
  }
  return out.join('\r\n');
}
