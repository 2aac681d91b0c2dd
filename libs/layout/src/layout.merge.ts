import type { CropPlan, FaceTrack, LayoutResult, Scene } from '@clipline/contracts';
import { iou } from './face.detector';
import type { LayoutAnalysis } from './layout.types';

type MaybeAnalysis = LayoutResult & Partial<Pick<LayoutAnalysis, 'decode' | 'sampleTimes'>>;

/**
 * Joins the results of consecutive time ranges analysed by different workers
 * (each with its own startSec/endSec) into one result. A scene that runs over
 * a range boundary (no cut at the later range's start) becomes one scene
 * again, and face tracks that meet at the boundary are rejoined.
 */
export function mergeLayoutParts(parts: MaybeAnalysis[]): MaybeAnalysis {
  const ordered = parts
    .filter((p) => p.scenes.length > 0)
    .sort((a, b) => a.scenes[0].start - b.scenes[0].start);
  if (ordered.length === 0) {
    return (
      parts[0] ?? {
        sampleFps: 2,
        frameCount: 0,
        scenes: [],
        sceneCuts: [],
        faceTracks: [],
        cropPlans: [],
        note: null,
      }
    );
  }
  const scenes: Scene[] = [];
  const tracks: FaceTrack[] = [];
  const plans = new Map<string, CropPlan>();
  const cuts: number[] = [];
  let frameCount = 0;
  let nextTrackId = 0;
  const notes = new Set<string>();
  ordered.forEach((part, pi) => {
    frameCount += part.frameCount;
    if (part.note) part.note.split('; ').forEach((n) => notes.add(n));
    const first = part.scenes[0];
    // Key-frame sampling can leave seconds between a part's last sample and the next part's first.
    const maxGap = Math.max(1.5, 2.5 / part.sampleFps);
    const joins = pi > 0 && !part.sceneCuts.some((c) => Math.abs(c - first.start) < 1e-6);
    const offset = scenes.length - (joins ? 1 : 0);
    const sceneMap = new Map<number, number>(part.scenes.map((s, i) => [s.index, offset + i]));
    part.scenes.forEach((s, i) => {
      if (i === 0 && joins) scenes[scenes.length - 1].end = s.end;
      else scenes.push({ index: offset + i, start: s.start, end: s.end });
    });
    for (const c of part.sceneCuts) if (c > 0 && !cuts.includes(c)) cuts.push(c);
    for (const tr of part.faceTracks) {
      const sceneIndex = sceneMap.get(tr.sceneIndex)!;
      const head = tr.points[0];
      const before =
        joins && tr.sceneIndex === first.index
          ? tracks.find((o) => {
              const tail = o.points[o.points.length - 1];
              return (
                o.sceneIndex === sceneIndex && head.t - tail.t <= maxGap && iou(tail, head) > 0.3
              );
            })
          : undefined;
      const activity = tr.activity ?? tr.points.map(() => 0);
      if (before) {
        before.activity = [...(before.activity ?? before.points.map(() => 0)), ...activity];
        before.points.push(...tr.points);
      } else tracks.push({ id: nextTrackId++, sceneIndex, points: [...tr.points], activity });
    }
    for (const plan of part.cropPlans) {
      const into = plans.get(plan.aspect) ?? { ...plan, scenes: [] };
      plans.set(plan.aspect, into);
      plan.scenes.forEach((s, i) => {
        const last = into.scenes[into.scenes.length - 1];
        if (i === 0 && joins && last) {
          last.end = s.end;
          last.keyframes = [...last.keyframes.filter((k) => k.t < s.start), ...s.keyframes];
        } else {
          into.scenes.push({
            ...s,
            sceneIndex: sceneMap.get(s.sceneIndex)!,
            keyframes: [...s.keyframes],
          });
        }
      });
    }
  });
  const withTimes = ordered.every((p) => p.sampleTimes);
  const modes = [...new Set(ordered.map((p) => p.decode))];
  return {
    ...(withTimes ? { sampleTimes: ordered.flatMap((p) => p.sampleTimes!) } : {}),
    ...(modes.length === 1 && modes[0] ? { decode: modes[0] } : {}),
    sampleFps: ordered[0].sampleFps,
    frameCount,
    scenes,
    sceneCuts: cuts.sort((a, b) => a - b),
    faceTracks: tracks,
    cropPlans: [...plans.values()],
    note: notes.size ? [...notes].join('; ') : null,
  };
}
