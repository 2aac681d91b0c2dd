import { parse, validate } from 'fast-xml-parser';
import { clipInput, sourceAt } from '@test/support/factories/export.factory';
import { writeEdl } from './edl.writer';
import { buildExportClip } from './edit-plan.builder';
import type { ExportDocument, Placement } from './export.types';
import { writeFcpxml } from './fcpxml.writer';
import { RATES, fpsOf, type FrameRate } from './frame-rate';
import { writeOtio } from './otio.writer';
import { windowOf } from './placement';
import { writeSrt } from './srt.writer';
import { timecodeToFrames } from './timecode';
import { interpolateCrop, placeEvents } from './timeline';
import { writeXmeml } from './xmeml.writer';

const FOUR: Array<[string, FrameRate]> = [
  ['23.976', RATES['23.976']],
  ['25', RATES['25']],
  ['29.97', RATES['29.97']],
  ['30', RATES['30']],
];

/** A hostile upload name: quotes, markup, an ampersand and a control character. */
const NASTY = 'a "talk" <b>&</b>\u0007 ü.mp4';
const SHOWN = 'a "talk" <b>&</b> ü.mp4';

function doc(rate: FrameRate, clips = 1): ExportDocument {
  const source = { ...sourceAt(rate), fileName: NASTY };
  return {
    title: 'Job <1>',
    source,
    clips: Array.from({ length: clips }, (_, i) =>
      buildExportClip({
        ...clipInput(source),
        name: `Clip ${i + 1}`,
        start: 10 + 40 * i,
        end: 40 + 40 * i,
      }),
    ),
  };
}

const ENTITIES: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
  '&amp;': '&',
};
const decodeEntities = (v: string) => v.replace(/&(lt|gt|quot|apos|amp);/g, (e) => ENTITIES[e]);

const xml = (text: string) => {
  expect(validate(text)).toBe(true);
  return parse(text, {
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseNodeValue: false,
    // fast-xml-parser 3 leaves entities as written; decode the five XML ones.
    attrValueProcessor: decodeEntities,
    tagValueProcessor: decodeEntities,
  }) as Record<string, unknown>;
};
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** FCPXML rational seconds back to whole frames; anything off the grid fails. */
function frames(time: string, r: FrameRate): number {
  const m = /^(\d+)(?:\/(\d+))?s$/.exec(time);
  expect(m).not.toBeNull();
  const n = Number(m![1]) * r.num;
  const d = Number(m![2] ?? 1) * r.den;
  expect(n % d).toBe(0);
  return n / d;
}

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1);

/**
 * The window an editor shows against the crop window: centres within a pixel.
 * The render stretches its even-sized window (606x1080) onto 1080x1920 by a
 * quarter of a percent; an editor scales uniformly, so the shown window is
 * 606x1077.3 and its height may differ by up to 3 px.
 */
function sameWindow(
  win: { x: number; y: number; w: number; h: number },
  want: { x: number; y: number },
  crop: { w: number; h: number },
) {
  close(win.x + win.w / 2, want.x + crop.w / 2);
  close(win.y + win.h / 2, want.y + crop.h / 2);
  close(win.w, crop.w);
  expect(Math.abs(win.h - crop.h)).toBeLessThanOrEqual(3);
}

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('FCPXML', () => {
  it.each(FOUR)('parses, and its spine is the cut list at %s fps', (_, r) => {
    const d = doc(r, 2);
    const root = xml(writeFcpxml(d)).fcpxml as Node;
    expect(root['@_version']).toBe('1.10');
    const formats = arr<Node>(root.resources.format);
    expect(formats[0]['@_frameDuration']).toBe(r.den === 1 ? `1/${r.num}s` : `1001/${r.num}s`);
    expect(formats.some((f) => f['@_width'] === '1080' && f['@_height'] === '1920')).toBe(true);
    const asset = root.resources.asset as Node;
    expect(asset['@_name']).toBe(SHOWN);
    expect(asset['media-rep']['@_src']).toBe('file:///' + encodeURIComponent(SHOWN));
    const projects = arr<Node>(root.library.event.project);
    expect(projects.map((p) => p['@_name'])).toEqual(['Clip 1', 'Clip 2']);
    projects.forEach((p, i) => {
      const clip = d.clips[i];
      const seq = p.sequence as Node;
      expect(seq['@_tcFormat']).toBe(r.num === 30000 ? 'DF' : 'NDF');
      const items = arr<Node>(seq.spine['asset-clip']);
      const events = placeEvents(clip.cuts);
      expect(frames(seq['@_duration'], r)).toBe(events[events.length - 1].recOut);
      expect(
        items.map((a) => ({
          recIn: frames(a['@_offset'], r),
          sourceIn: frames(a['@_start'], r),
          len: frames(a['@_duration'], r),
        })),
      ).toEqual(
        events.map((e) => ({ recIn: e.recIn, sourceIn: e.sourceIn, len: e.recOut - e.recIn })),
      );
      // The keyframes, read back as an editor would, show the crop windows.
      for (const [k, item] of items.entries()) {
        const e = events[k];
        expect(item['adjust-conform']['@_type']).toBe('none');
        const tr = item['adjust-transform'] as Node;
        const [scale] = String(tr['@_scale']).split(' ').map(Number);
        const keys = arr<Node>(tr.param.keyframeAnimation.keyframe);
        expect(keys.length).toBeGreaterThanOrEqual(2);
        for (const key of keys) {
          const sf = frames(key['@_time'], r);
          expect(sf).toBeGreaterThanOrEqual(e.sourceIn);
          expect(sf).toBeLessThan(e.sourceOut);
          const [px, py] = String(key['@_value']).split(' ').map(Number);
          const place: Placement = { scale, dx: (px / 100) * 1920, dy: (-py / 100) * 1920 };
          const win = windowOf(clip, d.source, place);
          const want = interpolateCrop(clip.crop!, e.recIn + sf - e.sourceIn);
          sameWindow(win, want, clip.crop!);
        }
      }
    });
  });
});

describe('Premiere XML (xmeml 4)', () => {
  it.each(FOUR)('parses, with clip items on the cut list at %s fps', (_, r) => {
    const d = doc(r, 2);
    const root = xml(writeXmeml(d)).xmeml as Node;
    expect(root['@_version']).toBe('4');
    const seqs = arr<Node>(root.project.children.sequence);
    expect(seqs).toHaveLength(2);
    seqs.forEach((seq, i) => {
      const clip = d.clips[i];
      expect(seq.rate.timebase).toBe(String(Math.round(fpsOf(r))));
      expect(seq.rate.ntsc).toBe(r.den === 1001 ? 'TRUE' : 'FALSE');
      const fmt = seq.media.video.format.samplecharacteristics;
      expect([fmt.width, fmt.height]).toEqual(['1080', '1920']);
      const events = placeEvents(clip.cuts);
      for (const kind of ['video', 'audio']) {
        const items = arr<Node>(seq.media[kind].track.clipitem);
        expect(items.map((c) => [c.start, c.end, c.in, c.out].map(Number))).toEqual(
          events.map((e) => [e.recIn, e.recOut, e.sourceIn, e.sourceOut]),
        );
      }
      const video = arr<Node>(seq.media.video.track.clipitem);
      video.forEach((item, k) => {
        const e = events[k];
        const params = arr<Node>(item.filter.effect.parameter);
        const scale = Number(params.find((p) => p.parameterid === 'scale')!.value) / 100;
        const center = params.find((p) => p.parameterid === 'center')!;
        for (const key of arr<Node>(center.keyframe)) {
          const when = Number(key.when);
          const place = {
            scale,
            dx: Number(key.value.horiz) * 1080,
            dy: Number(key.value.vert) * 1920,
          };
          const win = windowOf(clip, d.source, place);
          const want = interpolateCrop(clip.crop!, e.recIn + when - e.sourceIn);
          sameWindow(win, want, clip.crop!);
        }
      });
    });
    // The file is defined once and referenced after that.
    const text = writeXmeml(d);
    expect(text.match(/<file id="file-1">/g)).toHaveLength(1);
    expect(text).toContain('<name>a &quot;talk&quot; &lt;b&gt;&amp;&lt;/b&gt; ü.mp4</name>');
  });
});

const EVENT =
  /^(\d{3}) {2}(\S+)\s+(\S+)\s+C\s+(\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d)$/;

describe('CMX 3600 EDL', () => {
  it.each(FOUR)('lists every cut, frame-exact, at %s fps', (_, r) => {
    // Four clips run past the first minute on the record side.
    const d = doc(r, 4);
    const text = writeEdl(d);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('TITLE: Job <1>');
    const df = r.num === 30000;
    expect(lines[1]).toBe(df ? 'FCM: DROP FRAME' : 'FCM: NON-DROP FRAME');
    const events = lines.filter((l) => /^\d{3} /.test(l)).map((l) => EVENT.exec(l));
    const want = d.clips.flatMap((c) => c.cuts);
    expect(events).toHaveLength(want.length);
    let rec = 0;
    events.forEach((m, i) => {
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(i + 1);
      expect(m![2]).toBe('AX');
      for (const tc of m!.slice(4, 8)) expect(tc.includes(';')).toBe(df);
      const [si, so, ri, ro] = m!.slice(4, 8).map((tc) => timecodeToFrames(tc, r));
      expect([si, so]).toEqual([want[i].sourceIn, want[i].sourceOut]);
      expect([ri, ro]).toEqual([rec, rec + so - si]);
      rec = ro;
    });
    expect(rec / fpsOf(r)).toBeGreaterThan(60);
    expect(lines.filter((l) => l.startsWith('* FROM CLIP NAME: '))[0]).toBe(
      '* FROM CLIP NAME: a "talk" <b>&</b> u.mp4',
    );
  });
});

describe('CMX 3600 limits', () => {
  it('refuses more than 999 events rather than writing an EDL no editor reads', () => {
    const d = doc(RATES['25']);
    const many = Array.from({ length: 1000 }, (_, i) => ({
      sourceIn: i * 10,
      sourceOut: i * 10 + 5,
    }));
    expect(() => writeEdl({ ...d, clips: [{ ...d.clips[0], cuts: many }] })).toThrow(/999 events/);
    expect(() =>
      writeEdl({ ...d, clips: [{ ...d.clips[0], cuts: many.slice(0, 999) }] }),
    ).not.toThrow();
  });
});

describe('OpenTimelineIO', () => {
  /** Reads the cut list back through OTIO's documented JSON schema. */
  function cutsOf(timeline: Node, r: FrameRate) {
    expect(timeline.OTIO_SCHEMA).toBe('Timeline.1');
    expect(timeline.tracks.OTIO_SCHEMA).toBe('Stack.1');
    const video = (timeline.tracks.children as Node[]).find((t) => t.kind === 'Video')!;
    expect(video.OTIO_SCHEMA).toBe('Track.1');
    let rec = 0;
    return (video.children as Node[]).map((c) => {
      expect(c.OTIO_SCHEMA).toBe('Clip.2');
      const ref = c.media_references[c.active_media_reference_key];
      expect(ref.OTIO_SCHEMA).toBe('ExternalReference.1');
      expect(decodeURIComponent(ref.target_url.replace('file:///', ''))).toBe(SHOWN);
      const { start_time: st, duration: du } = c.source_range;
      expect(st.rate).toBeCloseTo(fpsOf(r), 9);
      expect(Number.isInteger(st.value) && Number.isInteger(du.value)).toBe(true);
      const recIn = rec;
      rec += du.value;
      return { sourceIn: st.value, sourceOut: st.value + du.value, recIn };
    });
  }

  it.each(FOUR)('round-trips the cut list at %s fps', (_, r) => {
    const d = doc(r);
    const timeline = JSON.parse(writeOtio(d)) as Node;
    expect(cutsOf(timeline, r)).toEqual(
      placeEvents(d.clips[0].cuts).map(({ sourceIn, sourceOut, recIn }) => ({
        sourceIn,
        sourceOut,
        recIn,
      })),
    );
    const audio = (timeline.tracks.children as Node[]).find((t) => t.kind === 'Audio')!;
    expect(audio.children).toHaveLength(d.clips[0].cuts.length);
    const markers = timeline.tracks.markers as Node[];
    expect(markers.map((m) => m.comment)).toEqual(d.clips[0].captions.map((c) => c.text));
    const kf = timeline.tracks.children[0].children[0].metadata.clipline.crop.keyframes;
    expect(kf.length).toBeGreaterThanOrEqual(2);
  });

  it('writes several clips as a collection of timelines', () => {
    const d = doc(RATES['29.97'], 3);
    const root = JSON.parse(writeOtio(d)) as Node;
    expect(root.OTIO_SCHEMA).toBe('SerializableCollection.1');
    expect(root.children).toHaveLength(3);
    (root.children as Node[]).forEach((t, i) =>
      expect(
        cutsOf(t, RATES['29.97']).map(({ sourceIn, sourceOut }) => ({ sourceIn, sourceOut })),
      ).toEqual(d.clips[i].cuts),
    );
  });
});

describe('SRT', () => {
  it('puts the captions on the exported timeline', () => {
    const d = doc(RATES['25']);
    const srt = writeSrt(d.clips[0], d.source);
    expect(srt).toMatch(/^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\n/);
    // "we" follows the first cut at frame 140 = 5.6 s.
    expect(srt).toMatch(/00:00:05,600 --> .*\n.*we/i);
  });
});
