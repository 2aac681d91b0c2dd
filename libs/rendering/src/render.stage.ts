import { availableParallelism } from 'node:os';
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ASPECT_SIZES,
  BadInputError,
  DEFAULT_CLIP_LOOK,
  type StageHooks,
} from '@clipline/contracts';
import {
  FFMPEG_PATH,
  ffmpegFailure,
  safeInputArgs,
  scratchError,
  spawnTracked,
} from '@clipline/media';
import {
  buildSrt,
  buildVtt,
  DEFAULT_LINE_RULES,
  groupCaptionLines,
  type CaptionLine,
} from './captions.builder';
import { buildStyledAss, lineRulesFor } from './caption-templates';
import { hookTitleText } from './hook-title';
import {
  splitScreenPaths,
  splitScreenPlans,
  videoLayoutChain,
  type VideoLayout,
} from './layout-modes';
import { audiogramLayout, audiogramVideoFilters, cleanTitle } from './audiogram.builder';
import { buildCropPath, type CropPath } from './crop-path';
import { keptDuration, mapTime, mapWords, planKeptRanges, type Ranges } from './cut-plan';
import { escapeFilterValue } from './filter-escape';
import { loudnessFilter, measureLoudness, type MeasuredLoudness } from './loudness.meter';
import { bundledFontsDir } from './fonts';
import type { RenderOptions, RenderRequest, RenderResult } from './render.types';

/** Encoder and timing defaults; exported so benches compare against the same settings. */
export const RENDER_DEFAULTS = {
  preset: 'veryfast',
  crf: 21,
  loudnessTarget: -14,
  backgroundColor: '0x14161c',
  waveColor: '0x6fd3ff',
  fps: 30,
  minSilenceSec: 0.4,
  cutPaddingSec: 0.1,
} satisfies Partial<RenderOptions>;
const DEFAULTS = RENDER_DEFAULTS;

/**
 * Upscaling the crop (606x1080 from a 1080p source) to 1080x1920: bilinear
 * costs about a third less than the default bicubic in the filter thread,
 * which runs serially beside x264, and looks the same on a phone.
 */
export const SCALE_FLAGS = 'bilinear';

const AUDIO_RATE = 48000;

export interface RenderPlan {
  /** Clip bounds after clamping to the source. */
  start: number;
  end: number;
  width: number;
  height: number;
  fps: number;
  /** Kept ranges, clip-relative seconds. */
  ranges: Ranges;
  durationSec: number;
  crop: CropPath | null;
  /** How the picture is laid out; null for an audiogram. */
  layout: VideoLayout | null;
  /** The filters from decoded source frames to the laid-out picture (see videoLayoutChain). */
  layoutChain: string;
  /** Caption lines as the style groups them (the burned captions). */
  styledLines: CaptionLine[];
  /** The hook title as drawn ('' when off). */
  hookTitle: string;
  args: string[];
  files: Omit<RenderResult, 'durationSec' | 'width' | 'height' | 'keptRanges'>;
  ass: string;
  vtt: string;
  srt: string;
  burnCaptions: boolean;
  /** The title of an audiogram as drawn ('' for video sources or no title). */
  title: string;
  /** Whether the ASS script is burned in: captions, or an audiogram's title. */
  burnAss: boolean;
  fontsDir: string;
  /** First loudness pass over the clip's audio alone; null without audio. */
  measureArgs: string[] | null;
}

const sec = (n: number) => (Math.round(n * 1000) / 1000).toFixed(3);

/**
 * Works out everything about a render without running it: ranges kept by
 * jump cuts, the crop path, the captions and the one ffmpeg command that does
 * trim, cuts, crop, scale, captions, loudness and encoding in a single pass.
 */
export function planRender(
  req: RenderRequest,
  measured: MeasuredLoudness | null = null,
): RenderPlan {
  const o = { ...DEFAULTS, ...req.options };
  const { width, height } = ASPECT_SIZES[req.aspect];
  const media = req.media;
  const start = Math.max(0, req.start);
  const end = Math.min(req.end, media.durationSec > 0 ? media.durationSec : req.end);
  if (!(end - start > 0.1)) {
    throw new BadInputError(
      `The clip ${req.start.toFixed(2)}-${req.end.toFixed(2)} s lies outside the source (${media.durationSec.toFixed(2)} s).`,
    );
  }
  const fps = o.fps;
  const ranges = planKeptRanges({
    clipStart: start,
    clipDuration: end - start,
    silences: req.silences,
    words: req.words,
    removeSilence: req.removeSilence,
    fps,
    minSilenceSec: o.minSilenceSec,
    paddingSec: o.cutPaddingSec,
  });
  if (ranges.length === 0) throw new BadInputError('The clip is empty after removing silences.');
  const durationSec = keptDuration(ranges);

  // Silence and music on the output timeline: captions neither show words there nor linger over them.
  const nonSpeech = req.silences
    .map((r) => ({
      start: mapTime(ranges, r.start - start),
      end: mapTime(ranges, r.end - start),
      kind: r.kind,
    }))
    .filter((r) => r.end > r.start);
  const look = req.look ?? DEFAULT_CLIP_LOOK;
  const clipWords = mapWords(req.words, start, ranges);
  // Sidecars keep today's reading lines whatever the burned style groups.
  const lines = groupCaptionLines(clipWords, DEFAULT_LINE_RULES, nonSpeech);
  const styleRules = lineRulesFor(look.captions);
  const styledLines =
    styleRules === DEFAULT_LINE_RULES ? lines : groupCaptionLines(clipWords, styleRules, nonSpeech);
  const video = media.hasVideo && media.video !== null;
  const burnCaptions = req.captions && lines.length > 0;
  const hookTitle = hookTitleText(look.title, clipWords);
  // A hook title takes the top band an audiogram's file-name title would use.
  const title = video || hookTitle ? '' : cleanTitle(req.title);
  const titleStyle = title
    ? { text: title, durationSec, ...audiogramLayout(width, height).title }
    : undefined;
  // The title alone is burned when captions are off, so they must not ride along.
  const ass = buildStyledAss({
    lines: burnCaptions || !(title || hookTitle) ? styledLines : [],
    width,
    height,
    style: look.captions,
    keywords: new Set(req.keywords ?? []),
    hookTitle: hookTitle ? { text: hookTitle, seconds: look.title.seconds } : null,
    audiogramTitle: titleStyle,
  });
  const burnAss = burnCaptions || title !== '' || hookTitle !== '';
  const vtt = buildVtt(lines);
  const srt = buildSrt(lines);

  const files = {
    videoPath: join(req.workDir, 'clip.mp4'),
    thumbnailPath: join(req.workDir, 'thumbnail.jpg'),
    vttPath: join(req.workDir, 'captions.vtt'),
    srtPath: join(req.workDir, 'captions.srt'),
    assPath: join(req.workDir, 'captions.ass'),
  };

  const readFor = (end - start + 0.5).toFixed(3);
  const sourceInput = [
    ...safeInputArgs(req.sourceUrl, media.formatName),
    '-ss',
    sec(start),
    '-t',
    readFor,
    '-i',
    req.sourceUrl,
  ];
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y'];
  const graph: string[] = [];
  let crop: CropPath | null = null;
  let layout: VideoLayout | null = null;
  let layoutChain = '';
  let audioIn: string;
  const K = ranges.length;
  const trims = (kind: 'v' | 'a') =>
    ranges.map(([a, b]) =>
      kind === 'v'
        ? `trim=start=${sec(a)}:end=${sec(b)},setpts=PTS-STARTPTS`
        : `atrim=start=${sec(a)}:end=${sec(b)},asetpts=PTS-STARTPTS`,
    );

  if (video) {
    args.push(...sourceInput);
    audioIn = media.hasAudio ? '[0:a:0]' : '';
    const v = media.video!;
    const clipGeometry = {
      sourceWidth: v.displayWidth,
      sourceHeight: v.displayHeight,
      clipStart: start,
      clipDuration: end - start,
    };
    const mode = req.layout?.mode ?? 'follow-face';
    if (mode === 'fit-blur') {
      layout = { mode };
    } else if (mode === 'split-screen' && req.faceTracks?.length) {
      const plans = splitScreenPlans({
        faceTracks: req.faceTracks,
        aspect: req.aspect,
        sourceWidth: v.displayWidth,
        sourceHeight: v.displayHeight,
        clipStart: start,
        clipEnd: end,
        smoothing: look.layout.smoothing,
      });
      layout = { mode, ...splitScreenPaths(plans, { ...clipGeometry, aspect: req.aspect }) };
    } else {
      crop = buildCropPath({ plan: req.cropPlan, ratio: width / height, ...clipGeometry });
      layout = { mode: 'follow-face', crop };
    }
    layoutChain = videoLayoutChain(layout, width, height);
    // fps first: VFR sources become CFR, so trim points and frame counts are
    // exact. start_time and tpad repeat the edge frames when the first frame
    // after the seek comes late or the video track ends early.
    graph.push(
      `[0:v:0]fps=fps=${fps}:start_time=0,tpad=stop_mode=clone:stop_duration=1,${layoutChain}[vc]`,
    );
  } else {
    args.push(
      '-f',
      'lavfi',
      '-i',
      `color=c=${o.backgroundColor}:s=${width}x${height}:r=${fps}:d=${sec(durationSec)}`,
    );
    args.push(...sourceInput);
    audioIn = '[1:a:0]';
  }

  const audioSrc = audioIn
    ? `${audioIn}aresample=${AUDIO_RATE},aformat=channel_layouts=stereo,apad`
    : `anullsrc=r=${AUDIO_RATE}:cl=stereo`;
  const vt = trims('v');
  const at = trims('a');
  if (video && K === 1) {
    graph.push(`[vc]${vt[0]}[vcut]`);
    graph.push(`${audioSrc},${at[0]}[acut]`);
  } else if (video) {
    graph.push(`[vc]split=${K}${ranges.map((_, i) => `[vs${i}]`).join('')}`);
    graph.push(`${audioSrc},asplit=${K}${ranges.map((_, i) => `[as${i}]`).join('')}`);
    ranges.forEach((_, i) => {
      graph.push(`[vs${i}]${vt[i]}[v${i}]`);
      graph.push(`[as${i}]${at[i]}[a${i}]`);
    });
    graph.push(
      `${ranges.map((_, i) => `[v${i}][a${i}]`).join('')}concat=n=${K}:v=1:a=1[vcut][acut]`,
    );
  } else {
    // Audio-only: the background is generated at the final length, only audio
    // is cut; the waveform is drawn from the levelled audio, below.
    graph.push(
      ...audiogramVideoFilters({
        bg: '[0:v]',
        audio: '[aviz]',
        out: '[vcut]',
        width,
        height,
        fps,
        waveColor: o.waveColor,
        sampleRate: AUDIO_RATE,
      }),
    );
    if (K === 1) graph.push(`${audioSrc},${at[0]}[acut]`);
    else {
      graph.push(`${audioSrc},asplit=${K}${ranges.map((_, i) => `[as${i}]`).join('')}`);
      ranges.forEach((_, i) => graph.push(`[as${i}]${at[i]}[a${i}]`));
      graph.push(`${ranges.map((_, i) => `[a${i}]`).join('')}concat=n=${K}:v=0:a=1[acut]`);
    }
  }

  const fontsDir = o.fontsDir ?? bundledFontsDir();
  const subs = burnAss
    ? `,ass=filename=${escapeFilterValue(files.assPath)}:fontsdir=${escapeFilterValue(fontsDir)}`
    : '';
  const scale = video ? `scale=${width}:${height}:flags=${SCALE_FLAGS},` : '';
  graph.push(`[vcut]${scale}setsar=1,format=yuv420p${subs}[vout]`);
  // Two passes: the gain comes from measureArgs' report (see loudness.meter).
  graph.push(
    `[acut]${loudnessFilter(o.loudnessTarget, measured, AUDIO_RATE)},aformat=channel_layouts=stereo${video ? '' : ',asplit=2[aviz]'}[aout]`,
  );
  // The same audio cut, decoded alone: dynamic loudnorm left music 2 LU short and peaks over 0 dBTP.
  let measureArgs: string[] | null = null;
  if (media.hasAudio) {
    const src = `[0:a:0]aresample=${AUDIO_RATE},aformat=channel_layouts=stereo,apad`;
    const m =
      K === 1
        ? [`${src},${at[0]}[acut]`]
        : [
            `${src},asplit=${K}${ranges.map((_, i) => `[as${i}]`).join('')}`,
            ...ranges.map((_, i) => `[as${i}]${at[i]}[a${i}]`),
            `${ranges.map((_, i) => `[a${i}]`).join('')}concat=n=${K}:v=0:a=1[acut]`,
          ];
    m.push(`[acut]ebur128=peak=true[aout]`);
    measureArgs = [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-v',
      'info',
      ...sourceInput,
      '-filter_complex',
      m.join(';'),
      '-map',
      '[aout]',
      '-f',
      'null',
      '-',
    ];
  }

  // More x264 threads than cores: frame threads stall on each other's
  // reference rows, and spare threads keep both cores busy through the
  // stalls (measured 2 → 6 threads on 2 cores: ~8% less wall, +85 MB RSS).
  const threads = o.threads ?? Math.min(8, 3 * availableParallelism());
  args.push('-filter_complex', graph.join(';'), '-map', '[vout]', '-map', '[aout]');
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    o.preset,
    '-crf',
    String(o.crf),
    '-pix_fmt',
    'yuv420p',
    '-profile:v',
    'high',
    '-g',
    String(fps * 2),
    '-threads',
    String(threads),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    String(AUDIO_RATE),
    '-movflags',
    '+faststart',
    '-max_muxing_queue_size',
    '1024',
    '-progress',
    'pipe:1',
    '-nostats',
    files.videoPath,
  );
  return {
    start,
    end,
    width,
    height,
    fps,
    ranges,
    durationSec,
    crop,
    layout,
    layoutChain,
    styledLines,
    hookTitle,
    args,
    files,
    ass,
    vtt,
    srt,
    burnCaptions,
    title,
    burnAss,
    fontsDir,
    measureArgs,
  };
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The static ffmpeg's fontconfig would read the host's /etc/fonts (newer
 * syntax: warnings, and a different fallback font per machine). A config of
 * our own limits it to the bundled font, so captions look the same everywhere.
 */
export async function fontconfigEnv(workDir: string, fontsDir: string): Promise<NodeJS.ProcessEnv> {
  const file = join(workDir, 'fonts.conf');
  await writeFile(
    file,
    `<?xml version="1.0"?>\n<fontconfig><dir>${xml(fontsDir)}</dir><cachedir>${xml(join(workDir, 'fontcache'))}</cachedir></fontconfig>\n`,
  );
  // The child's whole environment, not a setting: ffmpeg inherits ours plus the font config.
  // eslint-disable-next-line no-restricted-properties
  return { ...process.env, FONTCONFIG_FILE: file };
}

export async function runFfmpeg(
  args: string[],
  what: string,
  hooks: StageHooks,
  onOutTime?: (sec: number) => void,
  env?: NodeJS.ProcessEnv,
) {
  const child = spawnTracked(FFMPEG_PATH, args, {
    onCommand: hooks.onCommand,
    signal: hooks.signal,
    stderrTail: 4096,
    env,
  });
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const m = /^out_time_ms=(\d+)/.exec(l);
      // Despite its name, out_time_ms is in microseconds.
      if (m && onOutTime) onOutTime(Number(m[1]) / 1e6);
    }
  });
  const res = await child.done;
  if (res.code !== 0) throw ffmpegFailure(what, res.code, res.stderrTail);
}

/**
 * Renders one clip into `req.workDir`: the MP4 (H.264/AAC, faststart), a JPEG
 * thumbnail and the captions as ASS, VTT and SRT. The caller owns workDir and
 * removes it (see withWorkDir), also when this throws.
 */
export async function renderClip(
  req: RenderRequest,
  hooks: StageHooks = {},
): Promise<RenderResult> {
  const draft = planRender(req);
  const measured = draft.measureArgs ? await measureLoudness(draft.measureArgs, hooks) : null;
  const plan = planRender(req, measured);
  await Promise.all([
    writeFile(plan.files.assPath, plan.ass),
    writeFile(plan.files.vttPath, plan.vtt),
    writeFile(plan.files.srtPath, plan.srt),
  ]).catch((err: unknown) => {
    throw scratchError(req.workDir, err);
  });
  hooks.onLog?.(
    `render ${req.aspect} ${plan.start.toFixed(2)}-${plan.end.toFixed(2)} s -> ${plan.durationSec.toFixed(2)} s in ${plan.ranges.length} piece(s)` +
      (plan.crop
        ? `, crop ${plan.crop.w}x${plan.crop.h} in ${plan.crop.pieces.length} piece(s)`
        : `, ${plan.layout?.mode ?? 'audiogram'}`),
  );
  const env = plan.burnAss ? await fontconfigEnv(req.workDir, plan.fontsDir) : undefined;
  let last = 0;
  const onOutTime = (t: number) => {
    const f = Math.min(0.95, (t / plan.durationSec) * 0.95);
    if (f - last >= 0.01) {
      last = f;
      hooks.onProgress?.(f);
    }
  };
  await runFfmpeg(plan.args, 'render the clip', hooks, onOutTime, env);
  const out = await stat(plan.files.videoPath).catch(() => null);
  if (!out || out.size === 0) throw new Error('ffmpeg finished but wrote no clip');
  // From the rendered clip, so the thumbnail shows the crop (and captions) the viewer sees.
  await runFfmpeg(
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-ss',
      sec(plan.durationSec / 2),
      // Our own file, just written: local protocol and the mp4 demuxer only.
      ...safeInputArgs(plan.files.videoPath, 'mov'),
      '-i',
      plan.files.videoPath,
      '-frames:v',
      '1',
      '-q:v',
      '3',
      plan.files.thumbnailPath,
    ],
    'write the thumbnail',
    hooks,
  );
  hooks.onProgress?.(1);
  return {
    ...plan.files,
    durationSec: plan.durationSec,
    width: plan.width,
    height: plan.height,
    keptRanges: plan.ranges.map(([a, b]) => [plan.start + a, plan.start + b]),
  };
}
