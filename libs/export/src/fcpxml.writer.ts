import type { ExportClip, ExportDocument, ExportSource } from './export.types';
import { rationalSeconds, type FrameRate } from './frame-rate';
import { fmt, placementOf } from './placement';
import { canDropFrame } from './timecode';
import { clipLength, keyframesIn, placeEvents } from './timeline';
import { relinkUrl, xmlEscape as x } from './xml';

export const FCPXML_VERSION = '1.10';

const AUDIO_RATES: Record<number, string> = {
  32000: '32k',
  44100: '44.1k',
  48000: '48k',
  88200: '88.2k',
  96000: '96k',
  176400: '176.4k',
  192000: '192k',
};

const t = (frames: number, r: FrameRate) => rationalSeconds(frames, r);

/**
 * FCPXML (Final Cut Pro 10.6+, DaVinci Resolve): one project per clip in one
 * event. Each kept piece is an asset-clip on the spine; the reframe is its
 * adjust-transform with keyframed position and scale. Keyframe times are in
 * the asset-clip's own (source) time, as FCPXML wants; position is in percent
 * of the project's height with y up, per Apple's FCPXML reference.
 */
export function writeFcpxml(doc: ExportDocument): string {
  const { source } = doc;
  const r = source.rate;
  const tc = canDropFrame(r) ? 'DF' : 'NDF';
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE fcpxml>',
    `<fcpxml version="${FCPXML_VERSION}">`,
    '  <resources>',
    `    <format id="r1" frameDuration="${t(1, r)}" width="${source.width || 1920}" height="${source.height || 1080}"/>`,
  ];
  // One sequence format per output size in use.
  const sizes = [...new Set(doc.clips.map((c) => `${c.width}x${c.height}`))];
  sizes.forEach((s, i) => {
    const [w, h] = s.split('x');
    lines.push(
      `    <format id="r${3 + i}" frameDuration="${t(1, r)}" width="${w}" height="${h}"/>`,
    );
  });
  lines.push(
    `    <asset id="r2" name="${x(source.fileName)}" start="0s" duration="${t(source.durationFrames, r)}"` +
      ` hasVideo="${source.hasVideo ? 1 : 0}" format="r1" hasAudio="${source.hasAudio ? 1 : 0}"` +
      (source.hasAudio
        ? ` audioSources="1" audioChannels="${source.audioChannels || 2}" audioRate="${AUDIO_RATES[source.audioRate ?? 48000] ?? '48k'}"`
        : '') +
      '>',
    `      <media-rep kind="original-media" src="${x(relinkUrl(source.fileName))}"/>`,
    '    </asset>',
    '  </resources>',
    '  <library>',
    `    <event name="${x(doc.title)}">`,
  );
  for (const clip of doc.clips) {
    const fmtId = `r${3 + sizes.indexOf(`${clip.width}x${clip.height}`)}`;
    lines.push(
      `      <project name="${x(clip.name)}">`,
      `        <sequence format="${fmtId}" duration="${t(clipLength(clip), r)}" tcStart="0s" tcFormat="${tc}"` +
        (source.hasAudio ? ' audioLayout="stereo" audioRate="48k"' : '') +
        '>',
      '          <spine>',
      ...spineItems(clip, source, tc),
      '          </spine>',
      '        </sequence>',
      '      </project>',
    );
  }
  lines.push('    </event>', '  </library>', '</fcpxml>', '');
  return lines.join('\n');
}

function spineItems(clip: ExportClip, source: ExportSource, tc: string): string[] {
  const r = source.rate;
  const out: string[] = [];
  placeEvents(clip.cuts).forEach((e, i) => {
    out.push(
      `            <asset-clip ref="r2" name="${x(clip.name)} ${i + 1}" offset="${t(e.recIn, r)}"` +
        ` start="${t(e.sourceIn, r)}" duration="${t(e.recOut - e.recIn, r)}" tcFormat="${tc}">`,
    );
    const keys = keyframesIn(clip.crop, e);
    if (clip.crop && keys.length > 0) {
      const crop = clip.crop;
      const place = (k: { x: number; y: number }) =>
        placementOf(clip, source, { x: k.x, y: k.y, w: crop.w, h: crop.h });
      const first = place(keys[0]);
      const pos = (p: { dx: number; dy: number }) =>
        `${fmt((p.dx / clip.height) * 100)} ${fmt((-p.dy / clip.height) * 100)}`;
      // Native pixels: without this FCP first fits the source into the project frame.
      out.push('              <adjust-conform type="none"/>');
      out.push(
        `              <adjust-transform position="${pos(first)}" scale="${fmt(first.scale, 6)} ${fmt(first.scale, 6)}">`,
      );
      if (keys.length > 1) {
        out.push(
          '                <param name="position">',
          '                  <keyframeAnimation>',
        );
        for (const k of keys) {
          const when = e.sourceIn + (k.frame - e.recIn);
          out.push(
            `                    <keyframe time="${t(when, r)}" value="${pos(place(k))}" interp="linear" curve="linear"/>`,
          );
        }
        out.push('                  </keyframeAnimation>', '                </param>');
      }
      out.push('              </adjust-transform>');
    }
    out.push('            </asset-clip>');
  });
  return out;
}
