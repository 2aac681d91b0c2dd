/** Where an audiogram puts its parts, in output pixels. */
export interface AudiogramLayout {
  wave: { x: number; y: number; w: number; h: number };
  title: { fontSize: number; marginV: number; marginH: number };
}

const even = (n: number) => 2 * Math.round(n / 2);

/**
 * Title at the top, the waveform in the middle and the captions below it (at
 * the margins captionStyleFor keeps). Portrait frames push the title down a
 * little, out of the phone apps' top bar.
 */
export function audiogramLayout(width: number, height: number): AudiogramLayout {
  const portrait = height > width;
  const wh = even(height * (portrait ? 0.2 : 0.3));
  const centre = height * (portrait ? 0.42 : 0.48);
  return {
    wave: {
      x: even(width * 0.08),
      y: even(centre - wh / 2),
      w: even(width * 0.84),
      h: wh,
    },
    title: {
      fontSize: Math.round(Math.min(width, height) * 0.055),
      marginV: Math.round(height * (portrait ? 0.12 : 0.08)),
      marginH: Math.round(width * 0.08),
    },
  };
}

/**
 * The waveform is drawn this many times smaller and scaled up: showwaves and
 * the overlay then touch a ninth of the pixels, and a soft, thick line is what
 * the design wants anyway.
 */
const WAVE_DOWNSCALE = 3;

/**
 * Filters that turn the background `bg` and the clip's audio `audio` (already
 * cut and levelled) into `[out]`: an animated waveform over the background.
 */
export function audiogramVideoFilters(opts: {
  bg: string;
  audio: string;
  out: string;
  width: number;
  height: number;
  fps: number;
  waveColor: string;
  /** The audio's rate, kept: aresample only converts format and channels here. */
  sampleRate: number;
}): string[] {
  const { wave } = audiogramLayout(opts.width, opts.height);
  // The explicit aresample ends format negotiation here: without it, showwaves'
  // mono s16 would travel back through asplit and downmix the clip's own audio.
  const sw = even(wave.w / WAVE_DOWNSCALE);
  const sh = even(wave.h / WAVE_DOWNSCALE);
  return [
    `${opts.audio}aresample=${opts.sampleRate},aformat=sample_fmts=s16:channel_layouts=mono,showwaves=s=${sw}x${sh}:mode=cline:rate=${opts.fps}:colors=${opts.waveColor}:scale=sqrt:draw=full,scale=${wave.w}:${wave.h}:flags=bilinear,format=yuva420p[wave]`,
    // Overlaid in YUV: left to negotiate, the whole frame went through RGBA and
    // back, which cost more CPU than the waveform and the encoder's extra work.
    // pass: the background is generated at the final length, so it decides when the clip ends.
    `${opts.bg}format=yuv420p[bg]`,
    `[bg][wave]overlay=x=${wave.x}:y=${wave.y}:eof_action=pass:format=yuv420${opts.out}`,
  ];
}

// Emoji and their joiners: the bundled font has no glyphs for them, so they would show as boxes.
const PICTOGRAPHS =
  /\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\u200D|\uFE0E|\uFE0F|\u20E3/gu;
// Explicit bidi embeddings and overrides could reorder the rest of the line; the bidi algorithm alone places RTL text.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** Longest title shown, in characters: three or four lines on a phone. */
export const TITLE_MAX_CHARS = 70;

/**
 * A title safe to put in an ASS event: one line of plain text (libass wraps
 * it), no override blocks (`{…}`) or escapes (`\N`), nothing the font cannot
 * draw, at most TITLE_MAX_CHARS characters with an ellipsis when cut. The ASS
 * file is read by libass, not by the filter-graph parser, so quotes, colons,
 * commas and `%{…}` need no escaping there.
 */
export function cleanTitle(raw: string | null | undefined, maxChars = TITLE_MAX_CHARS): string {
  if (!raw) return '';
  const text = raw
    .normalize('NFC')
    .replace(PICTOGRAPHS, '')
    .replace(BIDI_CONTROLS, '')
    .replace(/\{/g, '(')
    .replace(/\}/g, ')')
    .replace(/\\/g, '/')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .trim();
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)];
  if (graphemes.length <= maxChars) return text;
  const cut = graphemes
    .slice(0, maxChars - 1)
    .map((g) => g.segment)
    .join('');
  return `${cut.replace(/[\s,;:.-]+$/u, '')}…`;
}

/** "2024-05_my_podcast-ep12.final.mp3" → "2024-05 my podcast-ep12.final". */
export function titleFromFilename(name: string | null | undefined): string {
  if (!name) return '';
  const base = name.replace(/^.*[\\/]/, '').replace(/\.[^.\s]{1,5}$/, '');
  return cleanTitle(base.replace(/_+/g, ' '));
}
