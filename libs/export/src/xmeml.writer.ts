import type { ExportClip, ExportDocument, ExportSource } from './export.types';
import { isNtsc, nominalFps, type FrameRate } from './frame-rate';
import { fmt, placementOf } from './placement';
import { canDropFrame, framesToTimecode } from './timecode';
import { clipLength, keyframesIn, placeEvents, type PlacedEvent } from './timeline';
import { relinkUrl, xmlEscape as x } from './xml';

const rate = (r: FrameRate, pad: string) =>
  `${pad}<rate><timebase>${nominalFps(r)}</timebase><ntsc>${isNtsc(r) ? 'TRUE' : 'FALSE'}</ntsc></rate>`;

/**
 * Premiere Pro XML (xmeml version 4, the Final Cut Pro 7 interchange format):
 * one sequence per clip. The reframe is the Basic Motion filter: scale in
 * percent, center as the offset of the source's centre from the frame's
 * centre in fractions of the sequence frame (y down), keyed at source frames
 * (the clip item's media time, like its in and out).
 */
export function writeXmeml(doc: ExportDocument): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE xmeml>',
    '<xmeml version="4">',
    '  <project>',
    `    <name>${x(doc.title)}</name>`,
    '    <children>',
  ];
  doc.clips.forEach((clip, i) => out.push(...sequence(clip, doc.source, i + 1)));
  out.push('    </children>', '  </project>', '</xmeml>', '');
  return out.join('\n');
}

function fileElement(source: ExportSource, first: boolean, pad: string): string[] {
  if (!first) return [`${pad}<file id="file-1"/>`];
  const r = source.rate;
  const df = canDropFrame(r);
  return [
    `${pad}<file id="file-1">`,
    `${pad}  <name>${x(source.fileName)}</name>`,
    `${pad}  <pathurl>${x(relinkUrl(source.fileName, 'file://localhost/'))}</pathurl>`,
    rate(r, `${pad}  `),
    `${pad}  <duration>${source.durationFrames}</duration>`,
    `${pad}  <timecode>`,
    rate(r, `${pad}    `),
    `${pad}    <string>${framesToTimecode(0, r, df)}</string>`,
    `${pad}    <frame>0</frame>`,
    `${pad}    <displayformat>${df ? 'DF' : 'NDF'}</displayformat>`,
    `${pad}  </timecode>`,
    `${pad}  <media>`,
    ...(source.hasVideo
      ? [
          `${pad}    <video><samplecharacteristics>`,
          rate(r, `${pad}      `),
          `${pad}      <width>${source.width}</width><height>${source.height}</height>`,
          `${pad}      <pixelaspectratio>square</pixelaspectratio>`,
          `${pad}    </samplecharacteristics></video>`,
        ]
      : []),
    ...(source.hasAudio
      ? [
          `${pad}    <audio>`,
          `${pad}      <samplecharacteristics><depth>16</depth><samplerate>${source.audioRate ?? 48000}</samplerate></samplecharacteristics>`,
          `${pad}      <channelcount>${source.audioChannels || 2}</channelcount>`,
          `${pad}    </audio>`,
        ]
      : []),
    `${pad}  </media>`,
    `${pad}</file>`,
  ];
}

function motion(clip: ExportClip, source: ExportSource, e: PlacedEvent, pad: string): string[] {
  const crop = clip.crop;
  const keys = keyframesIn(crop, e);
  if (!crop || keys.length === 0) return [];
  const place = (k: { x: number; y: number }) =>
    placementOf(clip, source, { x: k.x, y: k.y, w: crop.w, h: crop.h });
  const center = (k: { x: number; y: number }) => {
    const p = place(k);
    return `<horiz>${fmt(p.dx / clip.width, 6)}</horiz><vert>${fmt(p.dy / clip.height, 6)}</vert>`;
  };
  const first = place(keys[0]);
  return [
    `${pad}<filter>`,
    `${pad}  <effect>`,
    `${pad}    <name>Basic Motion</name>`,
    `${pad}    <effectid>basic</effectid>`,
    `${pad}    <effectcategory>motion</effectcategory>`,
    `${pad}    <effecttype>motion</effecttype>`,
    `${pad}    <mediatype>video</mediatype>`,
    `${pad}    <parameter>`,
    `${pad}      <parameterid>scale</parameterid>`,
    `${pad}      <name>Scale</name>`,
    `${pad}      <valuemin>0</valuemin>`,
    `${pad}      <valuemax>1000</valuemax>`,
    `${pad}      <value>${fmt(first.scale * 100)}</value>`,
    `${pad}    </parameter>`,
    `${pad}    <parameter>`,
    `${pad}      <parameterid>center</parameterid>`,
    `${pad}      <name>Center</name>`,
    `${pad}      <value>${center(keys[0])}</value>`,
    ...(keys.length > 1
      ? keys.map(
          (k) =>
            `${pad}      <keyframe><when>${e.sourceIn + (k.frame - e.recIn)}</when><value>${center(k)}</value></keyframe>`,
        )
      : []),
    `${pad}    </parameter>`,
    `${pad}  </effect>`,
    `${pad}</filter>`,
  ];
}

function sequence(clip: ExportClip, source: ExportSource, n: number): string[] {
  const r = source.rate;
  const df = canDropFrame(r);
  const events = placeEvents(clip.cuts);
  const p = '      ';
  const out: string[] = [
    `${p}<sequence id="sequence-${n}">`,
    `${p}  <name>${x(clip.name)}</name>`,
    `${p}  <duration>${clipLength(clip)}</duration>`,
    rate(r, `${p}  `),
    `${p}  <timecode>`,
    rate(r, `${p}    `),
    `${p}    <string>${framesToTimecode(0, r, df)}</string>`,
    `${p}    <frame>0</frame>`,
    `${p}    <displayformat>${df ? 'DF' : 'NDF'}</displayformat>`,
    `${p}  </timecode>`,
    `${p}  <media>`,
  ];
  let firstFile = n === 1;
  const item = (e: PlacedEvent, i: number, kind: 'video' | 'audio') => {
    const q = `${p}        `;
    const lines = [
      `${q}<clipitem id="clipitem-${n}-${kind[0]}${i + 1}">`,
      `${q}  <name>${x(source.fileName)}</name>`,
      `${q}  <enabled>TRUE</enabled>`,
      `${q}  <duration>${source.durationFrames}</duration>`,
      rate(r, `${q}  `),
      `${q}  <start>${e.recIn}</start>`,
      `${q}  <end>${e.recOut}</end>`,
      `${q}  <in>${e.sourceIn}</in>`,
      `${q}  <out>${e.sourceOut}</out>`,
      ...fileElement(source, firstFile, `${q}  `),
    ];
    firstFile = false;
    if (kind === 'video') lines.push(...motion(clip, source, e, `${q}  `));
    else
      lines.push(
        `${q}  <sourcetrack><mediatype>audio</mediatype><trackindex>1</trackindex></sourcetrack>`,
      );
    lines.push(`${q}</clipitem>`);
    return lines;
  };
  if (source.hasVideo) {
    out.push(
      `${p}    <video>`,
      `${p}      <format><samplecharacteristics>`,
      rate(r, `${p}        `),
      `${p}        <width>${clip.width}</width><height>${clip.height}</height>`,
      `${p}        <pixelaspectratio>square</pixelaspectratio>`,
      `${p}      </samplecharacteristics></format>`,
      `${p}      <track>`,
      ...events.flatMap((e, i) => item(e, i, 'video')),
      `${p}      </track>`,
      `${p}    </video>`,
    );
  }
  if (source.hasAudio) {
    out.push(
      `${p}    <audio>`,
      `${p}      <track>`,
      ...events.flatMap((e, i) => item(e, i, 'audio')),
      `${p}      </track>`,
      `${p}    </audio>`,
    );
  }
  out.push(`${p}  </media>`, `${p}</sequence>`);
  return out;
}
