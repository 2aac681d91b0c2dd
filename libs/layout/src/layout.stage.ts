import { BadInputError, type MediaInfo, type Scene, type StageHooks } from '@clipline/contracts';
import { createFaceDetector, type FaceDetector } from './face.detector';
import { FaceTracker } from './face.tracker';
import { probeKeyframeTimes, sampleFrames } from './frame.sampler';
import { SceneCutDetector, frameSignature } from './scene.detector';
import { cropGeometry, planCrop } from './crop.planner';
import type { DecodeMode, LayoutAnalysis, LayoutOptions } from './layout.types';

/** Whether the layout stage has anything to do for this source. */
export function layoutApplies(
  media: MediaInfo,
): { applies: true } | { applies: false; reason: string } {
  if (!media.hasVideo || !media.video) {
    return {
      applies: false,
      reason: 'The source has no video stream (audio only), so there is nothing to reframe.',
    };
  }
  return { applies: true };
}

export interface DecodeChoice {
  mode: DecodeMode;
  /** Typical time between analysed frames. */
  intervalSec: number;
  /** Longest time between analysed frames (sizes the tracker's gap and the preroll). */
  maxIntervalSec: number;
}

const PROBE_WINDOW_SEC = 30;

/**
 * Picks the decode mode for a range. Key frames are decoded alone when they
 * come often enough to follow a speaker (camera and streaming encoders use
 * 0.5-2 s); with sparse key frames (long GOPs, screen recordings) sampling by
 * time is kept, minus the non-reference frames nobody needs.
 */
export async function chooseDecodeMode(
  input: string,
  start: number,
  sourceEnd: number,
  options: Pick<LayoutOptions, 'decode' | 'sampleFps' | 'maxKeyframeGapSec'>,
  hooks: StageHooks = {},
  formatName?: string | null,
): Promise<DecodeChoice> {
  const fps = options.sampleFps ?? 2;
  const wanted = options.decode ?? 'auto';
  const byTime = (mode: DecodeMode): DecodeChoice => ({
    mode,
    intervalSec: 1 / fps,
    maxIntervalSec: 1 / fps,
  });
  if (wanted === 'all' || wanted === 'noref') return byTime(wanted);
  // The GOP is the source's, not the range's: a short range still looks at a full window.
  const windowEnd = Math.min(sourceEnd, start + PROBE_WINDOW_SEC);
  const times = (
    await probeKeyframeTimes(input, start, PROBE_WINDOW_SEC, {
      onCommand: hooks.onCommand,
      signal: hooks.signal,
      formatName,
    })
  ).filter((t) => t >= start - 0.01 && t < windowEnd);
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted.length ? sorted[sorted.length >> 1] : windowEnd - start;
  // The stretches before the first and after the last key frame count too: a
  // 30 s window with one key frame says the GOP is at least that long.
  const edges = times.length
    ? [times[0] - start, windowEnd - times[times.length - 1]]
    : [windowEnd - start];
  const longest = Math.max(...gaps, ...edges);
  if (wanted === 'keyframes') {
    return { mode: 'keyframes', intervalSec: median, maxIntervalSec: Math.max(median, longest) };
  }
  const maxGap = options.maxKeyframeGapSec ?? 4;
  if (times.length >= 2 && longest <= maxGap) {
    return { mode: 'keyframes', intervalSec: median, maxIntervalSec: longest };
  }
  return byTime('noref');
}

/** The note of a layout made without the face model (a degraded worker). */
export const NO_FACE_MODEL_NOTE = 'no face model: framing by centre';

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('layout analysis aborted');
}

/**
 * Scenes, face tracks and one crop plan per aspect for [startSec, endSec) of
 * the source. Frames are streamed from ffmpeg at `sampleFps`; the face model
 * runs natively and asynchronously, and the loop yields after every frame so
 * the worker's event loop (lock renewal, progress events) keeps running.
 */
export async function analyseLayout(
  input: string,
  media: MediaInfo,
  options: LayoutOptions,
  hooks: StageHooks = {},
): Promise<LayoutAnalysis> {
  const applies = layoutApplies(media);
  if (!applies.applies || !media.video) {
    return {
      decode: options.decode === 'auto' || !options.decode ? 'keyframes' : options.decode,
      sampleTimes: [],
      sampleFps: options.sampleFps ?? 2,
      frameCount: 0,
      scenes: [],
      sceneCuts: [],
      faceTracks: [],
      cropPlans: [],
      note: applies.applies ? null : applies.reason,
    };
  }
  const { displayWidth: width, displayHeight: height } = media.video;
  const start = Math.max(0, options.startSec ?? 0);
  const end = Math.min(media.durationSec, options.endSec ?? media.durationSec);
  if (!(end > start))
    throw new Error(`empty layout range ${start}..${end} for a ${media.durationSec}s source`);

  let detector: FaceDetector | null | undefined = options.detector;
  let ownDetector = false;
  if (detector === undefined) {
    if (!options.modelDir)
      throw new Error('analyseLayout needs options.detector or options.modelDir');
    detector = await createFaceDetector(options.modelDir);
    ownDetector = true;
  }
  try {
    const choice = await chooseDecodeMode(
      input,
      start,
      media.durationSec,
      options,
      hooks,
      media.formatName,
    );
    const fps = choice.mode === 'keyframes' ? 1 / choice.intervalSec : (options.sampleFps ?? 2);
    // One frame before the range, used only as the "previous frame" so a cut
    // on the range boundary is still seen when the work is split.
    // Time sampling keeps the 1/fps grid; a key frame preroll must reach the previous key frame.
    const back = choice.mode === 'keyframes' ? choice.maxIntervalSec + 0.1 : 1 / fps;
    const preroll = start > 0 ? Math.min(start, back) : 0;
    const seek = start - preroll;
    const cutDetector = new SceneCutDetector(options.sceneCut);
    // A face must survive the wait for the next analysed frame, however sparse.
    const tracker = new FaceTracker(Math.max(1.5, 2.5 * choice.maxIntervalSec));
    const allTimes: number[] = [];
    const cuts: number[] = [];
    const sceneStarts: number[] = [start];
    const sampleTimes: number[][] = [[]];
    let frameCount = 0;
    let lastProgress = 0;
    for await (const frame of sampleFrames(input, {
      displayWidth: width,
      displayHeight: height,
      fps,
      boxWidth: options.analysisWidth ?? 320,
      startSec: seek,
      durationSec: end - seek,
      threads: options.threads,
      decode: choice.mode,
      formatName: media.formatName,
      onCommand: hooks.onCommand,
      signal: hooks.signal,
    })) {
      throwIfAborted(hooks.signal);
      if (frame.t >= end - 1e-6) continue;
      const sig = frameSignature(frame.rgb, frame.width, frame.height);
      const { cut } = cutDetector.push(sig, frame.t);
      if (frame.t < start - 1e-6) continue;
      frame.t = Math.max(start, frame.t);
      if (allTimes.length && frame.t <= allTimes[allTimes.length - 1] + 1e-6) continue;
      if (cut && frameCount === 0) {
        cuts.push(start);
      } else if (cut) {
        cuts.push(frame.t);
        sceneStarts.push(frame.t);
        sampleTimes.push([]);
        tracker.startScene(sceneStarts.length - 1);
      }
      sampleTimes[sampleTimes.length - 1].push(frame.t);
      allTimes.push(frame.t);
      const faces = detector ? await detector.detect(frame, options.faceThreshold ?? 0.7) : [];
      tracker.update(frame, faces);
      frameCount++;
      const progress = (frame.t - start) / (end - start);
      if (progress - lastProgress >= 0.01) {
        lastProgress = progress;
        hooks.onProgress?.(Math.min(0.99, progress));
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const expected = Math.floor((end - start) / Math.max(choice.intervalSec, 1e-3));
    if (frameCount === 0 || (expected >= 4 && frameCount < expected * 0.5)) {
      throw new BadInputError(
        `The video stream could not be decoded: ${frameCount} of about ${expected} frames were readable between ${start.toFixed(1)}s and ${end.toFixed(1)}s.`,
      );
    }
    const scenes: Scene[] = sceneStarts.map((s, i) => ({
      index: i,
      start: s,
      end: sceneStarts[i + 1] ?? end,
    }));
    const tracks = tracker.finish();
    const cropPlans = options.aspects.map((aspect) =>
      planCrop(
        { width, height, scenes, sampleTimes, tracks, smoothing: options.smoothing },
        aspect,
      ),
    );
    const notes: string[] = [];
    for (const aspect of options.aspects) {
      const g = cropGeometry(width, height, aspect);
      if (
        !g.axis &&
        (g.w / g.h).toFixed(2) !== { '9:16': '0.56', '1:1': '1.00', '16:9': '1.78' }[aspect]
      ) {
        notes.push(
          `${aspect}: the ${width}x${height} source is used whole, fitted to width and padded top and bottom`,
        );
      }
    }
    if (!detector) notes.push(NO_FACE_MODEL_NOTE);
    else if (tracks.length === 0) notes.push('no faces found; crops are centred');
    hooks.onProgress?.(1);
    return {
      decode: choice.mode,
      sampleTimes: allTimes,
      sampleFps: Math.round(fps * 1000) / 1000,
      frameCount,
      scenes,
      sceneCuts: cuts,
      // Activity is kept so the renderer can re-plan with a creator's hold time and smoothing.
      faceTracks: tracks.map((t) => ({ ...t, activity: [...t.activity] })),
      cropPlans,
      note: notes.length ? notes.join('; ') : null,
    };
  } finally {
    if (ownDetector) await detector?.release();
  }
}
