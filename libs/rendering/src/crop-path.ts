import type { CropPlan } from '@clipline/contracts';

/** One linear piece of the crop window's top-left corner over clip-relative time. */
export interface CropPiece {
  t0: number;
  t1: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** A fixed-size crop window whose position moves piecewise linearly. */
export interface CropPath {
  w: number;
  h: number;
  pieces: CropPiece[];
}

export interface CropPathInput {
  plan: CropPlan | null;
  /** Displayed (rotation-corrected) source size. */
  sourceWidth: number;
  sourceHeight: number;
  /** Output aspect ratio, width / height. */
  ratio: number;
  clipStart: number;
  clipDuration: number;
  /** Most pieces an expression may hold; more are merged by simplification. */
  maxPieces?: number;
}

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

function fitWindow(
  sw: number,
  sh: number,
  ratio: number,
  wantW?: number,
): { w: number; h: number } {
  let w = wantW ?? (sw / sh > ratio ? sh * ratio : sw);
  let h = w / ratio;
  if (w > sw) {
    w = sw;
    h = w / ratio;
  }
  if (h > sh) {
    h = sh;
    w = h * ratio;
  }
  return { w: even(w), h: even(h) };
}

interface Pt {
  t: number;
  x: number;
  y: number;
}

/** Ramer-Douglas-Peucker on both coordinates: keeps a point if x or y strays. */
function simplify(points: Pt[], tol: number): Pt[] {
  if (points.length <= 2) return points;
  const a = points[0];
  const b = points[points.length - 1];
  let worst = -1;
  let worstDev = tol;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const k = b.t > a.t ? (p.t - a.t) / (b.t - a.t) : 0;
    const dev = Math.max(
      Math.abs(a.x + (b.x - a.x) * k - p.x),
      Math.abs(a.y + (b.y - a.y) * k - p.y),
    );
    if (dev > worstDev) {
      worstDev = dev;
      worst = i;
    }
  }
  if (worst < 0) return [a, b];
  return [
    ...simplify(points.slice(0, worst + 1), tol).slice(0, -1),
    ...simplify(points.slice(worst), tol),
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

/**
 * Turns a crop plan into a window path for one clip. ffmpeg's crop filter
 * fixes the window size when it starts, so the size is the median of the
 * plan's windows and each keyframe keeps its centre. Without a plan the
 * window is centred. Scene changes switch position at once; inside a scene
 * the position moves linearly between keyframes.
 */
export function buildCropPath(input: CropPathInput): CropPath {
  const { sourceWidth: sw, sourceHeight: sh, ratio, clipStart, clipDuration } = input;
  const clipEnd = clipStart + clipDuration;
  const plan = input.plan;
  const scenes = (plan?.scenes ?? [])
    .filter((s) => s.end > clipStart && s.start < clipEnd && s.keyframes.length > 0)
    .sort((a, b) => a.start - b.start);
  if (!plan || scenes.length === 0) {
    const { w, h } = fitWindow(sw, sh, ratio);
    const x = Math.round((sw - w) / 2);
    const y = Math.round((sh - h) / 2);
    return { w, h, pieces: [{ t0: 0, t1: clipDuration, x0: x, x1: x, y0: y, y1: y }] };
  }
  const kx = sw / (plan.sourceWidth || sw);
  const ky = sh / (plan.sourceHeight || sh);
  const widths = scenes.flatMap((s) =>
    s.keyframes.map((k) => Math.max(k.w * kx, k.h * ky * ratio)),
  );
  const { w, h } = fitWindow(sw, sh, ratio, median(widths));
  const clampX = (x: number) => Math.min(Math.max(0, x), sw - w);
  const clampY = (y: number) => Math.min(Math.max(0, y), sh - h);

  const perScene = scenes.map((s, i) => {
    const t0 = i === 0 ? 0 : Math.max(0, s.start - clipStart);
    const next = scenes[i + 1];
    // A gap between scenes holds the last position until the next scene.
    const t1 = next ? Math.min(clipDuration, next.start - clipStart) : clipDuration;
    const pts: Pt[] = [...s.keyframes]
      .sort((a, b) => a.t - b.t)
      .map((k) => ({
        t: k.t - clipStart,
        x: clampX((k.x + k.w / 2) * kx - w / 2),
        y: clampY((k.y + k.h / 2) * ky - h / 2),
      }));
    return { t0, t1, pts };
  });

  const maxPieces = input.maxPieces ?? 48;
  let tol = 2;
  let pieces: CropPiece[] = [];
  for (;;) {
    pieces = [];
    for (const sc of perScene) {
      if (sc.t1 <= sc.t0) continue;
      const pts = simplify(sc.pts, tol);
      const at = (t: number): Pt => {
        if (t <= pts[0].t) return { ...pts[0], t };
        for (let i = 1; i < pts.length; i++) {
          if (t <= pts[i].t) {
            const a = pts[i - 1];
            const b = pts[i];
            const k = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1;
            return { t, x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
          }
        }
        return { ...pts[pts.length - 1], t };
      };
      const cuts = [sc.t0, ...pts.map((p) => p.t).filter((t) => t > sc.t0 && t < sc.t1), sc.t1];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const a = at(cuts[i]);
        const b = at(cuts[i + 1]);
        pieces.push({ t0: cuts[i], t1: cuts[i + 1], x0: a.x, x1: b.x, y0: a.y, y1: b.y });
      }
    }
    if (pieces.length <= maxPieces) break;
    tol *= 2;
  }
  return { w, h, pieces: mergeFlat(pieces) };
}

/** Adjacent pieces that stand still at the same place become one. */
function mergeFlat(pieces: CropPiece[]): CropPiece[] {
  const out: CropPiece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    const flat = (q: CropPiece) => Math.abs(q.x1 - q.x0) < 0.5 && Math.abs(q.y1 - q.y0) < 0.5;
    if (
      last &&
      flat(last) &&
      flat(p) &&
      Math.abs(last.x0 - p.x0) < 0.5 &&
      Math.abs(last.y0 - p.y0) < 0.5
    ) {
      last.t1 = p.t1;
    } else {
      out.push({ ...p });
    }
  }
  return out;
}

/** Window position at clip time t, as the ffmpeg expression computes it. */
export function cropAt(path: CropPath, t: number): { x: number; y: number } {
  const p = path.pieces.find((q) => t < q.t1) ?? path.pieces[path.pieces.length - 1];
  const k = p.t1 > p.t0 ? Math.min(1, Math.max(0, (t - p.t0) / (p.t1 - p.t0))) : 0;
  return { x: Math.round(p.x0 + (p.x1 - p.x0) * k), y: Math.round(p.y0 + (p.y1 - p.y0) * k) };
}

const num = (n: number) => String(Math.round(n * 1000) / 1000);

function linear(t0: number, t1: number, v0: number, v1: number): string {
  if (Math.abs(v1 - v0) < 0.5 || t1 <= t0) return num(Math.round(v0));
  const k = (v1 - v0) / (t1 - t0);
  return `round(${num(v0)}+${num(k)}*(clip(t,${num(t0)},${num(t1)})-${num(t0)}))`;
}

/** ffmpeg expression in `t` for one coordinate: nested if() over the pieces. */
export function cropExpression(path: CropPath, axis: 'x' | 'y'): string {
  const parts = path.pieces.map((p) =>
    axis === 'x' ? linear(p.t0, p.t1, p.x0, p.x1) : linear(p.t0, p.t1, p.y0, p.y1),
  );
  let expr = parts[parts.length - 1];
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] === expr) continue;
    expr = `if(lt(t,${num(path.pieces[i].t1)}),${parts[i]},${expr})`;
  }
  return expr;
}
