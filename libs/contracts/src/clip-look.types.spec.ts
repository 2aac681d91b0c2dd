import { DEFAULT_CLIP_LOOK, resolveClipLook, validateClipLook } from './clip-look.types';

describe('clip look', () => {
  it('lets the clip win over the job, field by field', () => {
    const look = resolveClipLook(
      { captions: { template: 'boxed', textColor: '#111111' }, layout: { minHoldSeconds: 4 } },
      { captions: { textColor: '#222222', size: undefined } },
    );
    expect(look.captions.template).toBe('boxed');
    expect(look.captions.textColor).toBe('#222222');
    expect(look.captions.size).toBe(DEFAULT_CLIP_LOOK.captions.size);
    expect(look.layout).toEqual({ mode: 'auto', smoothing: 0.5, minHoldSeconds: 4 });
    expect(look.title).toEqual(DEFAULT_CLIP_LOOK.title);
  });

  it('accepts a full valid look', () => {
    const { value, errors } = validateClipLook({
      captions: { template: 'word-by-word', position: 0.4, wordsPerLine: 1, uppercase: true },
      layout: { mode: 'split-screen', smoothing: 0, minHoldSeconds: 10 },
      title: { enabled: true, text: 'Why this works', seconds: 3 },
    });
    expect(errors).toEqual([]);
    expect(value?.layout?.mode).toBe('split-screen');
  });

  it.each([
    [{ captions: { textColor: 'red' } }, 'look.captions.textColor must be a colour like #FFFFFF'],
    [
      { captions: { font: '../../etc/passwd' } },
      'look.captions.font must be one of DejaVu Sans, DejaVu Serif, Liberation Sans',
    ],
    [
      { captions: { wordsPerLine: 2.5 } },
      'look.captions.wordsPerLine must be a whole number from 1 to 8',
    ],
    [
      { captions: { position: 2 } },
      'look.captions.position must be top, middle, bottom or a number from 0.05 to 0.95',
    ],
    [
      { layout: { mode: 'zoom' } },
      'look.layout.mode must be one of auto, follow-face, fit-blur, split-screen, audiogram',
    ],
    [
      { layout: { minHoldSeconds: Number.NaN } },
      'look.layout.minHoldSeconds must be a number from 0 to 10',
    ],
    [
      { title: { text: 'a\u0000b' } },
      'look.title.text must be null or 1–120 characters without control characters',
    ],
    [
      { title: { text: 'x'.repeat(121) } },
      'look.title.text must be null or 1–120 characters without control characters',
    ],
    [{ colour: 1 }, 'look.colour is not a known field'],
    [{ captions: [] }, 'look.captions must be an object'],
    ['bold', 'look must be an object'],
  ])('refuses %j naming the field', (input, message) => {
    const { value, errors } = validateClipLook(input);
    expect(value).toBeNull();
    expect(errors).toContain(message);
  });
});
