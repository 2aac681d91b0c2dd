/**
 * How a clip looks: caption style, layout and hook title. Set per job
 * (`options.look`, the default for its clips) and per clip (`clips.look`);
 * the clip's fields win field by field. Every field is optional in storage so
 * a later default change reaches clips that never chose otherwise.
 */

export const CAPTION_TEMPLATES = ['bold-pop', 'lower-third', 'boxed', 'word-by-word'] as const;
export type CaptionTemplate = (typeof CAPTION_TEMPLATES)[number];

/** Open fonts the renderer ships (with their licences); no other family may be named. */
export const CAPTION_FONTS = ['DejaVu Sans', 'DejaVu Serif', 'Liberation Sans'] as const;
export type CaptionFont = (typeof CAPTION_FONTS)[number];

export const CAPTION_POSITIONS = ['top', 'middle', 'bottom'] as const;
export type CaptionPosition = (typeof CAPTION_POSITIONS)[number];

export const CAPTION_DECORATIONS = ['outline', 'box', 'none'] as const;
export type CaptionDecoration = (typeof CAPTION_DECORATIONS)[number];

export interface CaptionStyle {
  template: CaptionTemplate;
  font: CaptionFont;
  /** Font size as a share of the frame's shorter side (0.03–0.15). */
  size: number;
  /** `#RRGGBB`. */
  textColor: string;
  /** `#RRGGBB`, the spoken word (and highlighted keywords). */
  highlightColor: string;
  decoration: CaptionDecoration;
  /** A named band, or the caption's vertical centre as a share of the height (0.05–0.95). */
  position: CaptionPosition | number;
  uppercase: boolean;
  /** Most words on one caption line (1–8). */
  wordsPerLine: number;
  /** Colour numbers and the scorer's hook words with the highlight colour. */
  highlightKeywords: boolean;
}

export const LAYOUT_MODES = [
  'auto',
  'follow-face',
  'fit-blur',
  'split-screen',
  'audiogram',
] as const;
export type LayoutMode = (typeof LAYOUT_MODES)[number];

export interface ClipLayout {
  /** `auto` lets the renderer choose and record why (see ClipLayoutChoice). */
  mode: LayoutMode;
  /** 0 (crop follows every move) to 1 (nearly still). */
  smoothing: number;
  /** Shortest time on one speaker before the crop may switch to another (0–10 s). */
  minHoldSeconds: number;
}

/** What the renderer actually used, and why, recorded on the clip. */
export interface ClipLayoutChoice {
  mode: Exclude<LayoutMode, 'auto'>;
  reason: string;
}

export interface HookTitle {
  enabled: boolean;
  /** null: the clip's first sentence. */
  text: string | null;
  /** How long the title stays on screen (1–10 s). */
  seconds: number;
}

export interface ClipLook {
  captions?: Partial<CaptionStyle>;
  layout?: Partial<ClipLayout>;
  title?: Partial<HookTitle>;
}

export interface ResolvedClipLook {
  captions: CaptionStyle;
  layout: ClipLayout;
  title: HookTitle;
}

/** Today's look: bold words with the spoken one highlighted, face-following crop. */
export const DEFAULT_CLIP_LOOK: Readonly<ResolvedClipLook> = {
  captions: {
    template: 'bold-pop',
    font: 'DejaVu Sans',
    size: 0.07,
    textColor: '#FFFFFF',
    highlightColor: '#FFE500',
    decoration: 'outline',
    position: 'bottom',
    uppercase: false,
    // Today's captions: at most three words (and 18 characters) a line.
    wordsPerLine: 3,
    highlightKeywords: false,
  },
  layout: { mode: 'auto', smoothing: 0.5, minHoldSeconds: 2 },
  title: { enabled: false, text: null, seconds: 3 },
};

export const HOOK_TITLE_MAX_CHARS = 120;

/** Job default, then the clip's own choices, field by field. */
export function resolveClipLook(
  jobLook?: ClipLook | null,
  clipLook?: ClipLook | null,
): ResolvedClipLook {
  const d = DEFAULT_CLIP_LOOK;
  return {
    captions: { ...d.captions, ...defined(jobLook?.captions), ...defined(clipLook?.captions) },
    layout: { ...d.layout, ...defined(jobLook?.layout), ...defined(clipLook?.layout) },
    title: { ...d.title, ...defined(jobLook?.title), ...defined(clipLook?.title) },
  };
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const HEX_COLOUR = /^#[0-9A-Fa-f]{6}$/;

type Check = (v: unknown) => boolean;
const oneOf =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);
const numberIn =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const intIn =
  (min: number, max: number): Check =>
  (v) =>
    numberIn(min, max)(v) && Number.isInteger(v);
const isBool: Check = (v) => typeof v === 'boolean';

const CAPTION_CHECKS: Record<keyof CaptionStyle, [Check, string]> = {
  template: [oneOf(CAPTION_TEMPLATES), `one of ${CAPTION_TEMPLATES.join(', ')}`],
  font: [oneOf(CAPTION_FONTS), `one of ${CAPTION_FONTS.join(', ')}`],
  size: [numberIn(0.03, 0.15), 'a number from 0.03 to 0.15'],
  textColor: [(v) => typeof v === 'string' && HEX_COLOUR.test(v), 'a colour like #FFFFFF'],
  highlightColor: [(v) => typeof v === 'string' && HEX_COLOUR.test(v), 'a colour like #FFE500'],
  decoration: [oneOf(CAPTION_DECORATIONS), `one of ${CAPTION_DECORATIONS.join(', ')}`],
  position: [
    (v) => oneOf(CAPTION_POSITIONS)(v) || numberIn(0.05, 0.95)(v),
    'top, middle, bottom or a number from 0.05 to 0.95',
  ],
  uppercase: [isBool, 'true or false'],
  wordsPerLine: [intIn(1, 8), 'a whole number from 1 to 8'],
  highlightKeywords: [isBool, 'true or false'],
};

const LAYOUT_CHECKS: Record<keyof ClipLayout, [Check, string]> = {
  mode: [oneOf(LAYOUT_MODES), `one of ${LAYOUT_MODES.join(', ')}`],
  smoothing: [numberIn(0, 1), 'a number from 0 to 1'],
  minHoldSeconds: [numberIn(0, 10), 'a number from 0 to 10'],
};

const TITLE_CHECKS: Record<keyof HookTitle, [Check, string]> = {
  enabled: [isBool, 'true or false'],
  text: [
    (v) =>
      v === null ||
      (typeof v === 'string' &&
        v.trim().length > 0 &&
        v.length <= HOOK_TITLE_MAX_CHARS &&
        // eslint-disable-next-line no-control-regex
        !/[\u0000-\u001f\u007f]/.test(v)),
    `null or 1–${HOOK_TITLE_MAX_CHARS} characters without control characters`,
  ],
  seconds: [numberIn(1, 10), 'a number from 1 to 10'],
};

function checkGroup<T>(
  path: string,
  value: unknown,
  checks: Record<string, [Check, string]>,
  errors: string[],
): Partial<T> | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    errors.push(`${path} must be an object`);
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const check = checks[key];
    if (!check) errors.push(`${path}.${key} is not a known field`);
    else if (v !== undefined && !check[0](v)) errors.push(`${path}.${key} must be ${check[1]}`);
    else out[key] = v;
  }
  return out as Partial<T>;
}

/**
 * Validates a look from a request body. Errors name the field
 * (`look.captions.textColor must be a colour like #FFFFFF`), so the API can
 * answer 400 with them as they are.
 */
export function validateClipLook(
  input: unknown,
  path = 'look',
): { value: ClipLook | null; errors: string[] } {
  const errors: string[] = [];
  if (input === null || input === undefined) return { value: null, errors };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { value: null, errors: [`${path} must be an object`] };
  }
  const look: ClipLook = {};
  for (const [key, v] of Object.entries(input)) {
    if (key === 'captions')
      look.captions = checkGroup(`${path}.captions`, v, CAPTION_CHECKS, errors);
    else if (key === 'layout') look.layout = checkGroup(`${path}.layout`, v, LAYOUT_CHECKS, errors);
    else if (key === 'title') look.title = checkGroup(`${path}.title`, v, TITLE_CHECKS, errors);
    else errors.push(`${path}.${key} is not a known field`);
  }
  return { value: errors.length ? null : look, errors };
}
