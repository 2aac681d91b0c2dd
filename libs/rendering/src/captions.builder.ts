import { writeSrt, writeVtt } from '@clipline/contracts';
import type { TimedWord } from './render.types';

export interface CaptionLine {
  words: TimedWord[];
  start: number;
  end: number;
  text: string;
}

export interface LineRules {
  maxWords: number;
  maxChars: number;
  /** A pause longer than this starts a new line. */
  maxGapSec: number;
  /** How long a line stays after its last word when nothing follows at once. */
  holdSec: number;
  /** A line never stays on screen over a longer stretch of silence or music than this. */
  maxNonSpeechSec: number;
}

export const DEFAULT_LINE_RULES: LineRules = {
  maxWords: 3,
  maxChars: 18,
  maxGapSec: 0.6,
  holdSec: 0.4,
  maxNonSpeechSec: 1,
};

/** A stretch without speech (silence or music), on the same timeline as the words. */
export interface NonSpeechSpan {
  start: number;
  end: number;
  /** `non_speech`: the VAD's alone (music may hide a voice); `silence` or unknown: nothing sounds. */
  kind?: 'silence' | 'non_speech';
}

// A word at least this much inside non-speech was not said (recognisers hear words in music).
const UNHEARD_SHARE = 0.5;
// Over a music bed the VAD hears a sentence's onset late (0.1-0.5 s on real speech).
const VAD_ONSET_LAG_SEC = 0.5;
// Words this close together are one run of speech.
const RUN_GAP_SEC = 0.3;

function coveredBy(spans: readonly NonSpeechSpan[], a: number, b: number): number {
  let n = 0;
  for (const r of spans) n += Math.max(0, Math.min(b, r.end) - Math.max(a, r.start));
  return n;
}

/**
 * Words the audio supports: those mostly inside silence or music are left out
 * of captions. Except the first words of a sentence over a music bed: the
 * VAD's non-speech runs on into them, so a word in the last
 * VAD_ONSET_LAG_SEC of a VAD-only stretch, running straight into words the
 * audio supports, was said. Loudness silence has no such lag: nothing sounds there.
 */
export function heardWords(words: TimedWord[], nonSpeech: readonly NonSpeechSpan[]): TimedWord[] {
  if (!nonSpeech.length) return words;
  const heard = words.map((w) => {
    const len = w.end - w.start;
    const inside =
      len > 0
        ? coveredBy(nonSpeech, w.start, w.end) / len
        : coveredBy(nonSpeech, w.start - 0.005, w.start + 0.005) / 0.01;
    return inside < UNHEARD_SHARE;
  });
  const silent = nonSpeech.filter((r) => r.kind !== 'non_speech');
  const onsetLag = (w: TimedWord) =>
    coveredBy(silent, w.start, Math.max(w.end, w.start + 0.01)) === 0 &&
    nonSpeech.some(
      (r) =>
        r.kind === 'non_speech' &&
        r.start <= w.start &&
        r.end >= w.start &&
        r.end - w.start <= VAD_ONSET_LAG_SEC,
    );
  // Backwards, so a run of onset words joins the speech it leads into.
  for (let i = words.length - 2; i >= 0; i--) {
    if (heard[i] || !heard[i + 1]) continue;
    if (words[i + 1].start - words[i].end <= RUN_GAP_SEC && onsetLag(words[i])) heard[i] = true;
  }
  return words.filter((_, i) => heard[i]);
}

/** Ends a line where it would otherwise stay over more than `maxSec` of one stretch of non-speech. */
function capOverNonSpeech(
  start: number,
  end: number,
  nonSpeech: readonly NonSpeechSpan[],
  maxSec: number,
): number {
  for (const r of nonSpeech) {
    const a = Math.max(start, r.start);
    const b = Math.min(end, r.end);
    if (b - a > maxSec) return Math.max(start + 0.05, a + maxSec);
  }
  return end;
}

/**
 * Groups words into short lines that fit a phone screen and can be read at a
 * glance: a few words, a few characters, and a break at sentence ends and pauses.
 */
export function groupCaptionLines(
  allWords: TimedWord[],
  rules: LineRules = DEFAULT_LINE_RULES,
  nonSpeech: readonly NonSpeechSpan[] = [],
): CaptionLine[] {
  const spans = [...nonSpeech].sort((a, b) => a.start - b.start);
  const words = heardWords(allWords, spans);
  const groups: TimedWord[][] = [];
  let cur: TimedWord[] = [];
  for (const w of words) {
    const prev = cur[cur.length - 1];
    const chars = cur.reduce((n, x) => n + x.text.length + 1, 0) + w.text.length;
    const breakHere =
      prev !== undefined &&
      (cur.length >= rules.maxWords ||
        chars > rules.maxChars ||
        w.start - prev.end > rules.maxGapSec ||
        coveredBy(spans, prev.start, w.end) > rules.maxNonSpeechSec ||
        /[.!?;:]$/.test(prev.text));
    if (breakHere) {
      groups.push(cur);
      cur = [];
    }
    cur.push(w);
  }
  if (cur.length) groups.push(cur);
  return groups.map((g, i) => {
    const next = groups[i + 1];
    const last = g[g.length - 1];
    const end = next ? Math.min(last.end + rules.holdSec, next[0].start) : last.end + rules.holdSec;
    const start = g[0].start;
    return {
      words: g,
      start,
      end: capOverNonSpeech(start, Math.max(end, last.end), spans, rules.maxNonSpeechSec),
      text: g.map((w) => w.text).join(' '),
    };
  });
}

export interface AssStyle {
  width: number;
  height: number;
  fontName: string;
  fontSize: number;
  marginV: number;
  marginH: number;
}

/**
 * Caption geometry for an output size. Portrait video keeps a quarter of the
 * height free at the bottom, where phone apps put their buttons and text.
 */
export function captionStyleFor(width: number, height: number, fontName: string): AssStyle {
  const portrait = height > width;
  return {
    width,
    height,
    fontName,
    fontSize: Math.round(Math.min(width, height) * 0.07),
    marginV: Math.round(height * (portrait ? 0.25 : 0.1)),
    marginH: Math.round(width * 0.08),
  };
}

export function assTime(t: number): string {
  const cs = Math.max(0, Math.round(t * 100));
  const h = Math.floor(cs / 360000);
  const m = Math.floor((cs % 360000) / 6000);
  const s = Math.floor((cs % 6000) / 100);
  const c = cs % 100;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(c).padStart(2, '0')}`;
}

/** Braces and backslashes would be read as ASS override tags. */
export function assText(s: string): string {
  return s.replace(/[{}]/g, '').replace(/\\/g, '/').replace(/\s+/g, ' ');
}

// ASS colours are &HBBGGRR.
const BASE_COLOUR = '&HFFFFFF&';
const HIGHLIGHT_COLOUR = '&H00E5FF&';

/** A title shown at the top for the whole clip (audiograms); text already made safe (cleanTitle). */
export interface AssTitle {
  text: string;
  fontSize: number;
  marginV: number;
  marginH: number;
  durationSec: number;
}

/**
 * An ASS script with one event per spoken word: the whole line is shown and
 * the word being said is coloured, so the highlight moves karaoke-style.
 */
export function buildAss(lines: CaptionLine[], style: AssStyle, title?: AssTitle): string {
  const head = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${style.width}`,
    `PlayResY: ${style.height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: None',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Caption,${style.fontName},${style.fontSize},&H00FFFFFF,&H0000E5FF,&H00000000,&H96000000,-1,0,0,0,100,100,0,0,1,${Math.max(2, Math.round(style.fontSize / 14))},${Math.max(1, Math.round(style.fontSize / 30))},2,${style.marginH},${style.marginH},${style.marginV},1`,
    ...(title
      ? [
          `Style: Title,${style.fontName},${title.fontSize},&H00F2F2F2,&H00F2F2F2,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,0,0,8,${title.marginH},${title.marginH},${title.marginV},1`,
        ]
      : []),
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  const events: string[] = [];
  if (title?.text) {
    events.push(
      `Dialogue: 1,${assTime(0)},${assTime(title.durationSec + 1)},Title,,0,0,0,,${assText(title.text)}`,
    );
  }
  for (const line of lines) {
    line.words.forEach((w, i) => {
      const start = i === 0 ? line.start : w.start;
      const end = i + 1 < line.words.length ? line.words[i + 1].start : line.end;
      if (end - start < 0.005) return;
      const text = line.words
        .map((x, j) =>
          j === i
            ? `{\\c${HIGHLIGHT_COLOUR}}${assText(x.text)}{\\c${BASE_COLOUR}}`
            : assText(x.text),
        )
        .join(' ');
      events.push(`Dialogue: 0,${assTime(start)},${assTime(end)},Caption,,0,0,0,,${text}`);
    });
  }
  return [...head, ...events, ''].join('\n');
}

/** The clip's VTT sidecar: the one writer, shared with the transcript endpoint. */
export function buildVtt(lines: CaptionLine[]): string {
  return writeVtt(lines);
}

/** The clip's SRT sidecar: the one writer, shared with the transcript endpoint. */
export function buildSrt(lines: CaptionLine[]): string {
  return writeSrt(lines);
}
