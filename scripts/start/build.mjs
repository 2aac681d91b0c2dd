// Decides which apps need a build and runs scripts/build-all.mjs for them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { say } from './util.mjs';

const SOURCE_DIRS = ['libs', 'migrations'];
const SOURCE_FILE = /\.(ts|json)$/;
const NOT_BUILT = /\.spec\.ts$/;

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'assets')
        newest = Math.max(newest, newestMtime(p));
    } else if (SOURCE_FILE.test(entry.name) && !NOT_BUILT.test(entry.name)) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

export function entryFile(root, app) {
  return join(root, 'dist', 'apps', app, 'src', 'main.js');
}

/**
 * Apps whose build is missing or older than any source they may include.
 * tsconfig has incremental: false, so every build (ours or `npm run build`)
 * rewrites main.js, and its mtime is the time of the last build.
 */
export function staleApps(root, apps) {
  const shared = Math.max(
    ...SOURCE_DIRS.map((d) => newestMtime(join(root, d))),
    statSync(join(root, 'tsconfig.json')).mtimeMs,
  );
  return apps.filter((app) => {
    const entry = entryFile(root, app);
    if (!existsSync(entry)) return true;
    return Math.max(shared, newestMtime(join(root, 'apps', app))) > statSync(entry).mtimeMs;
  });
}

export function buildIfNeeded(root, apps) {
  if (process.env.CLIPLINE_SKIP_BUILD === '1') {
    const missing = apps.filter((a) => !existsSync(entryFile(root, a)));
    if (missing.length) {
      throw new Error(
        `CLIPLINE_SKIP_BUILD=1 but these apps are not built: ${missing.join(', ')}. Run npm run build.`,
      );
    }
    say('CLIPLINE_SKIP_BUILD=1: using the existing dist/ as is');
    return;
  }
  const stale = staleApps(root, apps);
  if (!stale.length) {
    say('dist/ is up to date with the sources');
    return;
  }
  say(`building ${stale.join(', ')} (sources changed since the last build; this takes a while)`);
  execFileSync(process.execPath, [join(root, 'scripts', 'build-all.mjs'), ...stale], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** The web app's static files; built once, rebuilt by `npm run build` (or `npm run web:build`). */
export function buildWebIfMissing(root) {
  if (existsSync(join(root, 'apps', 'web', 'dist', 'index.html'))) return;
  say('building the web app');
  execFileSync(process.execPath, [join(root, 'scripts', 'build-all.mjs'), 'web'], {
    cwd: root,
    stdio: 'inherit',
  });
}
