import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageHooks } from '@clipline/contracts';
import { safeInputArgs, scratchError } from '@clipline/media';
import { escapeFilterValue } from './filter-escape';
import { fontconfigEnv, planRender, RENDER_DEFAULTS, runFfmpeg, SCALE_FLAGS } from './render.stage';
import type { RenderRequest } from './render.types';

export interface StillPlan {
  /** Output time of the frame, seconds from the clip's start (after jump cuts). */
  atSec: number;
  /** The same instant in the source, seconds. */
  sourceSec: number;
  args: string[];
  ass: string;
  assPath: string;
  jpegPath: string;
  fontsDir: string;
}

const sec = (n: number) => (Math.round(n * 1000) / 1000).toFixed(3);

/**
 * One frame of the clip as the full render would draw it (layout, captions,
 * hook title), at the first caption, or the middle without captions. Only a
 * second of the source around that instant is decoded; the crop path and the
 * captions see the times they would see in the full render. Audio-only
 * sources show the background, title and captions without the waveform.
 */
export function planStill(req: RenderRequest): StillPlan {
  const plan = planRender(req);
  const first = plan.burnCaptions ? plan.styledLines[0] : undefined;
  const atSec = first
    ? first.start + Math.min(0.25, (first.end - first.start) / 2)
    : plan.durationSec / 2;
  // Output time back to the source through the kept ranges.
  let out = 0;
  let offset = plan.ranges[plan.ranges.length - 1][1];
  for (const [a, b] of plan.ranges) {
    if (atSec < out + (b - a)) {
      offset = a + (atSec - out);
      break;
    }
    out += b - a;
  }
  const assPath = join(req.workDir, 'still.ass');
  const jpegPath = join(req.workDir, 'still.jpg');
  const o = { ...RENDER_DEFAULTS, ...req.options };
  const subs = plan.burnAss
    ? `,ass=filename=${escapeFilterValue(assPath)}:fontsdir=${escapeFilterValue(plan.fontsDir)}`
    : '';
  const tail = `setpts=PTS-STARTPTS+${sec(atSec)}/TB,setsar=1,format=yuv420p${subs}[vout]`;
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y'];
  let graph: string;
  if (plan.layout) {
    args.push(
      ...safeInputArgs(req.sourceUrl, req.media.formatName),
      '-ss',
      sec(plan.start + offset),
      '-t',
      '1',
      '-i',
      req.sourceUrl,
    );
    graph = [
      `[0:v:0]setpts=PTS-STARTPTS+${sec(offset)}/TB,${plan.layoutChain}[vc]`,
      `[vc]scale=${plan.width}:${plan.height}:flags=${SCALE_FLAGS},${tail}`,
    ].join(';');
  } else {
    args.push(
      '-f',
      'lavfi',
      '-i',
      `color=c=${o.backgroundColor}:s=${plan.width}x${plan.height}:r=1:d=1`,
    );
    graph = `[0:v]${tail}`;
  }
  args.push('-filter_complex', graph, '-map', '[vout]', '-frames:v', '1', '-q:v', '3', jpegPath);
  return {
    atSec,
    sourceSec: plan.start + offset,
    args,
    ass: plan.ass,
    assPath,
    jpegPath,
    fontsDir: plan.fontsDir,
  };
}

/** Renders planStill's frame as a JPEG inside req.workDir; abort through hooks.signal. */
export async function renderStill(
  req: RenderRequest,
  hooks: StageHooks = {},
): Promise<{ jpegPath: string; atSec: number }> {
  const plan = planStill(req);
  await writeFile(plan.assPath, plan.ass).catch((err: unknown) => {
    throw scratchError(req.workDir, err);
  });
  const env = await fontconfigEnv(req.workDir, plan.fontsDir);
  await runFfmpeg(plan.args, 'render the preview frame', hooks, undefined, env);
  const out = await stat(plan.jpegPath).catch(() => null);
  if (!out || out.size === 0) throw new Error('ffmpeg finished but wrote no preview frame');
  return { jpegPath: plan.jpegPath, atSec: plan.atSec };
}
