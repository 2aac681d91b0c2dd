/** One timed line of text, in seconds from the start of its media. */
export interface SubtitleCue {
  start: number;
  end: number;
  text: string;
}

function clock(sec: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

// A blank line ends a cue in both formats, so recognised text stays on one line.
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * SubRip has no escapes: an arrow in the text would read as a new timing
 * line, so it is shortened; everything else is shown as written.
 */
function srtText(text: string): string {
  return oneLine(text).replace(/-->/g, '->');
}

/**
 * WebVTT cue text is markup: `&` and `<` start entities and tags, and `-->`
 * may not appear at all. Escaping `>` as well removes every arrow.
 */
function vttText(text: string): string {
  return oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** SubRip: numbered cues, "HH:MM:SS,mmm --> HH:MM:SS,mmm". */
export function writeSrt(cues: readonly SubtitleCue[]): string {
  return cues
    .map(
      (c, i) => `${i + 1}\n${clock(c.start, ',')} --> ${clock(c.end, ',')}\n${srtText(c.text)}\n`,
    )
    .join('\n');
}

/** WebVTT: the header, then numbered cues "HH:MM:SS.mmm --> HH:MM:SS.mmm". */
export function writeVtt(cues: readonly SubtitleCue[]): string {
  const body = cues.map(
    (c, i) => `${i + 1}\n${clock(c.start, '.')} --> ${clock(c.end, '.')}\n${vttText(c.text)}\n`,
  );
  return ['WEBVTT', '', ...body].join('\n');
}

/** "HH:MM:SS.mmm", the clock both writers use. */
export function subtitleClock(sec: number): string {
  return clock(sec, '.');
}
