import type { CaptionStyle } from '@clipline/contracts';
import { DEFAULT_CLIP_LOOK } from '@clipline/contracts';
import {
  assText,
  assTime,
  DEFAULT_LINE_RULES,
  type AssTitle,
  type CaptionLine,
  type LineRules,
} from './captions.builder';

/** A hook title over the first seconds of a clip; text already made safe (see hookTitleText). */
export interface HookTitleEvent {
  text: string;
  seconds: number;
}

export interface StyledAssInput {
  lines: CaptionLine[];
  width: number;
  height: number;
  style: CaptionStyle;
  /** Normalised words (lower case, no punctuation) to colour when style.highlightKeywords is on. */
  keywords?: ReadonlySet<string>;
  hookTitle?: HookTitleEvent | null;
  /** The audiogram's file-name title, shown for the whole clip (audio-only sources). */
  audiogramTitle?: AssTitle;
}

const DEFAULT_SIZE = DEFAULT_CLIP_LOOK.captions.size;
const DEFAULT_WORDS = DEFAULT_CLIP_LOOK.captions.wordsPerLine;

/**
 * Line breaking for a style. The default (3 words) is today's rule of 3 words
 * and 18 characters; more words or a smaller font allow proportionally more
 * characters. One word at a time shows every word on its own.
 */
export function lineRulesFor(style: CaptionStyle): LineRules {
  const words = style.template === 'word-by-word' ? 1 : style.wordsPerLine;
  if (words === DEFAULT_WORDS && style.size === DEFAULT_SIZE) return DEFAULT_LINE_RULES;
  return {
    ...DEFAULT_LINE_RULES,
    maxWords: words,
    maxChars: Math.max(6, Math.round((6 * words * DEFAULT_SIZE) / style.size)),
  };
}

/** `#RRGGBB` as ASS's `BBGGRR`. */
function bgr(hex: string): string {
  const h = hex.replace('#', '').toUpperCase();
  return `${h.slice(4, 6)}${h.slice(2, 4)}${h.slice(0, 2)}`;
}
const styleColour = (hex: string) => `&H00${bgr(hex)}`;
const overrideColour = (hex: string) => `&H${bgr(hex)}&`;

/** Lower case without surrounding punctuation, as keywords are given. */
export function keywordNorm(word: string): string {
  return word
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .replace(/’/g, "'");
}

interface Geometry {
  fontSize: number;
  /** ASS numpad alignment of the caption style. */
  alignment: number;
  marginV: number;
  marginH: number;
  /** For a numeric position: an override placing each event (the style's margins then do not apply). */
  place: string;
}

function geometry(width: number, height: number, style: CaptionStyle): Geometry {
  const portrait = height > width;
  const scale =
    style.template === 'lower-third' ? 0.75 : style.template === 'word-by-word' ? 1.3 : 1;
  const fontSize = Math.round(Math.min(width, height) * style.size * scale);
  const marginH = Math.round(width * 0.08);
  // lower-third sits at the left edge; the others are centred.
  const col = style.template === 'lower-third' ? 0 : 1;
  const pos = style.position;
  if (typeof pos === 'number') {
    const an = 4 + col;
    const x = col === 0 ? marginH : Math.round(width / 2);
    return {
      fontSize,
      alignment: an,
      marginV: 0,
      marginH,
      place: `{\\an${an}\\pos(${x},${Math.round(height * pos)})}`,
    };
  }
  if (pos === 'top') {
    return {
      fontSize,
      alignment: 7 + col,
      marginV: Math.round(height * (portrait ? 0.15 : 0.08)),
      marginH,
      place: '',
    };
  }
  if (pos === 'middle') return { fontSize, alignment: 4 + col, marginV: 0, marginH, place: '' };
  // Portrait video keeps a quarter of the height free at the bottom, where phone apps put their buttons.
  const bottom =
    style.template === 'lower-third' ? (portrait ? 0.22 : 0.08) : portrait ? 0.25 : 0.1;
  return {
    fontSize,
    alignment: 1 + col,
    marginV: Math.round(height * bottom),
    marginH,
    place: '',
  };
}

/** BorderStyle, Outline, Shadow and the outline/box and shadow colours. */
function decoration(style: CaptionStyle, fontSize: number): string {
  const deco = style.template === 'boxed' ? 'box' : style.decoration;
  if (deco === 'box') {
    // BorderStyle 3: libass fills a box in the outline colour; Outline is its padding.
    return `&H00000000,&H00000000,-1,0,0,0,100,100,0,0,3,${Math.max(4, Math.round(fontSize / 5))},0`;
  }
  if (deco === 'none') return '&H00000000,&H96000000,-1,0,0,0,100,100,0,0,1,0,0';
  const outline =
    style.template === 'lower-third'
      ? Math.max(1, Math.round(fontSize / 20))
      : Math.max(2, Math.round(fontSize / 14));
  const shadow = style.template === 'lower-third' ? 0 : Math.max(1, Math.round(fontSize / 30));
  return `&H00000000,&H96000000,-1,0,0,0,100,100,0,0,1,${outline},${shadow}`;
}

/**
 * The ASS script for a caption style. bold-pop shows the whole line and
 * colours the word being said (one event per word); boxed does the same on an
 * opaque box; lower-third shows the plain line at the lower left; word-by-word
 * shows each word alone. With DEFAULT_CLIP_LOOK the script is byte for byte
 * what buildAss wrote before styles existed.
 */
export function buildStyledAss(input: StyledAssInput): string {
  const { lines, width, height, style } = input;
  const g = geometry(width, height, style);
  const text = (s: string) => assText(style.uppercase ? s.toLocaleUpperCase() : s);
  const base = overrideColour(style.textColor);
  const hi = overrideColour(style.highlightColor);
  const coloured = (s: string) => `{\\c${hi}}${text(s)}{\\c${base}}`;
  const keywords = style.highlightKeywords ? (input.keywords ?? new Set<string>()) : null;
  const isKeyword = (s: string) => {
    if (!keywords) return false;
    const n = keywordNorm(s);
    return n.length > 0 && (/\d/.test(n) || keywords.has(n));
  };
  const hook = input.hookTitle?.text ? input.hookTitle : null;
  const audiogramTitle = input.audiogramTitle;
  const portrait = height > width;

  const head = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: None',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Caption,${style.font},${g.fontSize},${styleColour(style.textColor)},${styleColour(style.highlightColor)},${decoration(style, g.fontSize)},${g.alignment},${g.marginH},${g.marginH},${g.marginV},1`,
    ...(audiogramTitle
      ? [
          `Style: Title,${style.font},${audiogramTitle.fontSize},&H00F2F2F2,&H00F2F2F2,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,0,0,8,${audiogramTitle.marginH},${audiogramTitle.marginH},${audiogramTitle.marginV},1`,
        ]
      : []),
    ...(hook
      ? (() => {
          const size = Math.round(Math.min(width, height) * Math.max(0.045, style.size * 0.8));
          return [
            `Style: Hook,${style.font},${size},${styleColour(style.textColor)},${styleColour(style.highlightColor)},${decoration({ ...style, template: style.template === 'lower-third' ? 'bold-pop' : style.template }, size)},8,${g.marginH},${g.marginH},${Math.round(height * (portrait ? 0.12 : 0.08))},1`,
          ];
        })()
      : []),
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  const events: string[] = [];
  if (audiogramTitle?.text) {
    events.push(
      `Dialogue: 1,${assTime(0)},${assTime(audiogramTitle.durationSec + 1)},Title,,0,0,0,,${assText(audiogramTitle.text)}`,
    );
  }
  if (hook) {
    events.push(
      `Dialogue: 2,${assTime(0)},${assTime(hook.seconds)},Hook,,0,0,0,,${text(hook.text)}`,
    );
  }
  const event = (start: number, end: number, body: string) =>
    events.push(`Dialogue: 0,${assTime(start)},${assTime(end)},Caption,,0,0,0,,${g.place}${body}`);
  for (const line of lines) {
    if (style.template === 'lower-third') {
      // A calm line: no moving highlight, only the keywords stand out.
      if (line.end - line.start < 0.005) continue;
      event(
        line.start,
        line.end,
        line.words.map((x) => (isKeyword(x.text) ? coloured(x.text) : text(x.text))).join(' '),
      );
      continue;
    }
    line.words.forEach((w, i) => {
      const start = i === 0 ? line.start : w.start;
      const end = i + 1 < line.words.length ? line.words[i + 1].start : line.end;
      if (end - start < 0.005) return;
      const body = line.words
        .map((x, j) =>
          (style.template !== 'word-by-word' && j === i) || isKeyword(x.text)
            ? coloured(x.text)
            : text(x.text),
        )
        .join(' ');
      event(start, end, body);
    });
  }
  return [...head, ...events, ''].join('\n');
}
