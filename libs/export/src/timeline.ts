import type { CropKeyframe, CropTrack, CutEvent, ExportClip } from './export.types';

/** A cut placed on the clip's timeline: record in/out follow one another without gaps. */
export interface PlacedEvent extends CutEvent {
  recIn: number;
  recOut: number;
}

export function placeEvents(cuts: readonly CutEvent[], recStart = 0): PlacedEvent[] {
  let rec = recStart;
  return cuts.map((c) => {
    const len = c.sourceOut - c.sourceIn;
    const e = { ...c, recIn: rec, recOut: rec + len };
    rec += len;
    return e;
  });
}

export const clipLength = (clip: Pick<ExportClip, 'cuts'>): number =>
  clip.cuts.reduce((s, c) => s + (c.sourceOut - c.sourceIn), 0);

/** The keyframes that fall inside one event, the editor's clip item. */
export function keyframesIn(crop: CropTrack | null, e: PlacedEvent): CropKeyframe[] {
  return crop ? crop.keyframes.filter((k) => k.frame >= e.recIn && k.frame < e.recOut) : [];
}

/** Crop window position at a timeline frame, interpolated linearly as editors do. */
export function interpolateCrop(crop: CropTrack, frame: number): { x: number; y: number } {
  const ks = crop.keyframes;
  if (frame <= ks[0].frame) return { x: ks[0].x, y: ks[0].y };
  for (let i = 1; i < ks.length; i++) {
    if (frame <= ks[i].frame) {
      const a = ks[i - 1];
      const b = ks[i];
      const k = (frame - a.frame) / (b.frame - a.frame);
      return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
    }
  }
  const last = ks[ks.length - 1];
  return { x: last.x, y: last.y };
}
