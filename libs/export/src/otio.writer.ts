import type { CaptionCue, ExportClip, ExportDocument, ExportSource } from './export.types';
import { fpsOf, type FrameRate } from './frame-rate';
import { placementOf } from './placement';
import { clipLength, keyframesIn, placeEvents } from './timeline';
import { printable, relinkUrl } from './xml';

const rt = (value: number, r: FrameRate) => ({
  OTIO_SCHEMA: 'RationalTime.1',
  rate: fpsOf(r),
  value,
});
const range = (start: number, duration: number, r: FrameRate) => ({
  OTIO_SCHEMA: 'TimeRange.1',
  start_time: rt(start, r),
  duration: rt(duration, r),
});

/** Clipline's own data under one metadata key, as OTIO asks of adapters. */
export const OTIO_METADATA_KEY = 'clipline';

function track(kind: 'Video' | 'Audio', clip: ExportClip, source: ExportSource) {
  const r = source.rate;
  const children = placeEvents(clip.cuts).map((e, i) => {
    const crop = clip.crop;
    const keys = kind === 'Video' ? keyframesIn(crop, e) : [];
    const metadata =
      crop && keys.length > 0
        ? {
            [OTIO_METADATA_KEY]: {
              // Source pixels; time in source frames (the clip's media time).
              crop: {
                w: crop.w,
                h: crop.h,
                keyframes: keys.map((k) => {
                  const p = placementOf(clip, source, { ...k, w: crop.w, h: crop.h });
                  return {
                    time: e.sourceIn + (k.frame - e.recIn),
                    x: k.x,
                    y: k.y,
                    scale: p.scale,
                    dx: p.dx,
                    dy: p.dy,
                  };
                }),
              },
            },
          }
        : {};
    return {
      OTIO_SCHEMA: 'Clip.2',
      name: `${clip.name} ${i + 1}`,
      source_range: range(e.sourceIn, e.sourceOut - e.sourceIn, r),
      effects: [],
      markers: [],
      enabled: true,
      metadata,
      media_references: {
        DEFAULT_MEDIA: {
          OTIO_SCHEMA: 'ExternalReference.1',
          name: printable(source.fileName),
          target_url: relinkUrl(source.fileName),
          available_range: range(0, source.durationFrames, r),
          available_image_bounds: null,
          metadata: {},
        },
      },
      active_media_reference_key: 'DEFAULT_MEDIA',
    };
  });
  return {
    OTIO_SCHEMA: 'Track.1',
    name: kind === 'Video' ? 'V1' : 'A1',
    kind,
    source_range: null,
    effects: [],
    markers: [],
    enabled: true,
    metadata: {},
    children,
  };
}

/** Captions as markers on the timeline's stack: OTIO has no subtitle schema. */
const captionMarker = (c: CaptionCue, r: FrameRate) => ({
  OTIO_SCHEMA: 'Marker.2',
  name: c.text,
  color: 'PURPLE',
  comment: c.text,
  marked_range: range(c.start, c.end - c.start, r),
  metadata: { [OTIO_METADATA_KEY]: { kind: 'caption' } },
});

function timeline(clip: ExportClip, source: ExportSource) {
  const r = source.rate;
  const tracks = [
    ...(source.hasVideo ? [track('Video', clip, source)] : []),
    ...(source.hasAudio ? [track('Audio', clip, source)] : []),
  ];
  return {
    OTIO_SCHEMA: 'Timeline.1',
    name: clip.name,
    global_start_time: rt(0, r),
    metadata: {
      [OTIO_METADATA_KEY]: {
        width: clip.width,
        height: clip.height,
        duration: clipLength(clip),
        sourceWidth: source.width,
        sourceHeight: source.height,
      },
    },
    tracks: {
      OTIO_SCHEMA: 'Stack.1',
      name: 'tracks',
      source_range: null,
      effects: [],
      markers: clip.captions.map((c) => captionMarker(c, r)),
      enabled: true,
      metadata: {},
      children: tracks,
    },
  };
}

/**
 * OpenTimelineIO JSON: a Timeline for one clip, a SerializableCollection of
 * timelines for several. Rates are floats there (29.97002997…); values are
 * whole frames, so nothing rounds.
 */
export function writeOtio(doc: ExportDocument): string {
  const timelines = doc.clips.map((c) => timeline(c, doc.source));
  const root =
    timelines.length === 1
      ? timelines[0]
      : {
          OTIO_SCHEMA: 'SerializableCollection.1',
          name: doc.title,
          metadata: {},
          children: timelines,
        };
  return JSON.stringify(root, null, 2) + '\n';
}
