import {
  BadInputError,
  type LayoutResult,
  type MediaInfo,
  type Scene,
  type StageHooks,
} from '@clipline/contracts';
import { createFaceDetector, type FaceDetector } from './face.detector';
import { FaceTracker } from './face.tracker';
import { sampleFrames } from './frame.sampler';
import { SceneCutDetector, frameSignature } from './scene.detector';
import { cropGeometry, planCrop } from './crop.planner';
import type { LayoutOptions } from './layout.types';

/** Whether the layout stage has anything to do for this source. */
export function layoutApplies(media: MediaInfo): { applies: boolean; reason?: string } {
  if (!media.hasVideo || !media.video) {
    return {
      applies: false,
      reason: 'The source has no video stream (audio only), so there is nothing to reframe.',
    };
  }
  return { applies: true };
}

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
): Promise<LayoutResult> {
  const fps = options.sampleFps ?? 2;
  const applies = layoutApplies(media);
  if (!applies.applies || !media.video) {
    return {
      sampleFps: fps,
      frameCount: 0,
      scenes: [],
      sceneCuts: [],
      faceTracks: [],
      cropPlans: [],
      note: applies.reason ?? null,
    };
  }
  const { displayWidth: width, displayHeight: height } = media.video;
  const start = Math.max(0, options.startSec ?? 0);
  const end = Math.min(media.durationSec, options.endSec ?? media.durationSec);
  if (!(end > start))
    throw new Error(`empty layout range ${start}..${end} for a ${media.durationSec}s source`);

  let detector: FaceDetector | undefined = options.detector;
  let ownDetector = false;
  if (!detector) {
    if (!options.modelDir)
      throw new Error('analyseLayout needs options.detector or options.modelDir');
    detector = await createFaceDetector(options.modelDir);
    ownDetector = true;
  }
  try {
    // One frame before the range, used only as the "previous frame" so a cut
    // on the range boundary is still seen when the work is split.
    const preroll = start > 0 ? Math.min(start, 1 / fps) : 0;
    const seek = start - preroll;
    const cutDetector = new SceneCutDetector(options.sceneCut);
    const tracker = new FaceTracker();
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
      onCommand: hooks.onCommand,
      signal: hooks.signal,
    })) {
      throwIfAborted(hooks.signal);
      if (frame.t >= end - 1e-6) continue;
      const sig = frameSignature(frame.rgb, frame.width, frame.height);
      const { cut } = cutDetector.push(sig, frame.t);
      if (frame.t < start - 1e-6) continue;
      frame.t = Math.max(start, frame.t);
      if (cut && frameCount === 0) {
        cuts.push(start);
      } else if (cut) {
        cuts.push(frame.t);
        sceneStarts.push(frame.t);
        sampleTimes.push([]);
        tracker.startScene(sceneStarts.length - 1);
      }
      sampleTimes[sampleTimes.length - 1].push(frame.t);
      const faces = await detector.detect(frame, options.faceThreshold ?? 0.7);
      tracker.update(frame, faces);
      frameCount++;
      const progress = (frame.t - start) / (end - start);
      if (progress - lastProgress >= 0.01) {
        lastProgress = progress;
        hooks.onProgress?.(Math.min(0.99, progress));
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const expected = Math.floor((end - start) * fps);
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
    if (tracks.length === 0) notes.push('no faces found; crops are centred');
    hooks.onProgress?.(1);
    return {
      sampleFps: fps,
      frameCount,
      scenes,
      sceneCuts: cuts,
      faceTracks: tracks.map(({ activity: _activity, ...t }) => t),
      cropPlans,
      note: notes.length ? notes.join('; ') : null,
    };
  } finally {
    if (ownDetector) await detector.release();
  }
}
