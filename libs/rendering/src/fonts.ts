import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FONT_FILE = 'DejaVuSans-Bold.ttf';

let fontsDirOverride: string | undefined;

/** CLIPLINE_FONTS_DIR from the process's validated config (stage libs never read the environment). */
export function useFontsDir(dir: string | undefined): void {
  fontsDirOverride = dir || undefined;
}

/**
 * DejaVu Sans Bold (Bitstream Vera licence, see assets/fonts/LICENSE-DejaVu.txt).
 * The static ffmpeg build cannot find system fonts, so libass is given this
 * folder. Compiled output lives elsewhere than the sources, so a few places are
 * tried; CLIPLINE_FONTS_DIR wins when set.
 */
export function bundledFontsDir(): string {
  const candidates = [
    fontsDirOverride,
    resolve(__dirname, '..', 'assets', 'fonts'),
    resolve(__dirname, '..', '..', '..', '..', 'libs', 'rendering', 'assets', 'fonts'),
    resolve(process.cwd(), 'libs', 'rendering', 'assets', 'fonts'),
  ].filter((d): d is string => !!d);
  const found = candidates.find((d) => existsSync(join(d, FONT_FILE)));
  if (!found) throw new Error(`Caption font ${FONT_FILE} not found; set CLIPLINE_FONTS_DIR`);
  return found;
}

/** Family name inside the bundled TTF, as ASS styles must name it. */
export const CAPTION_FONT_NAME = 'DejaVu Sans';
