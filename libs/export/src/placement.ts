import type { ExportClip, ExportSource, Placement } from './export.types';

/**
 * The transform that shows the crop window full-frame: scale the source so the
 * window covers the output, then move the window's centre onto the frame's
 * centre. The window has the output's ratio up to even-pixel rounding, so the
 * larger of the two scales covers without a black edge.
 */
export function placementOf(
  clip: Pick<ExportClip, 'width' | 'height'>,
  source: Pick<ExportSource, 'width' | 'height'>,
  win: { x: number; y: number; w: number; h: number },
): Placement {
  const scale = Math.max(clip.width / win.w, clip.height / win.h);
  const cx = win.x + win.w / 2;
  const cy = win.y + win.h / 2;
  return { scale, dx: (source.width / 2 - cx) * scale, dy: (source.height / 2 - cy) * scale };
}

/** The inverse: which source window a placement shows (what an editor would display). */
export function windowOf(
  clip: Pick<ExportClip, 'width' | 'height'>,
  source: Pick<ExportSource, 'width' | 'height'>,
  p: Placement,
): { x: number; y: number; w: number; h: number } {
  const w = clip.width / p.scale;
  const h = clip.height / p.scale;
  const cx = source.width / 2 - p.dx / p.scale;
  const cy = source.height / 2 - p.dy / p.scale;
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

/** Rounded for the file: a thousandth of a pixel is far below what anyone sees. */
export const fmt = (n: number, digits = 4): string => {
  const v = Number(n.toFixed(digits));
  return String(Object.is(v, -0) ? 0 : v);
};
