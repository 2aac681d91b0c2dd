import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root, from src (ts-node) or dist alike: where nest-cli.json is. */
function repoRoot(): string | null {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json'))) return dir;
  }
  return null;
}

/**
 * When DATABASE_URL is unset, fills the environment from the settings `npm
 * start` recorded for its embedded services (`.data/connection.json`), so a
 * CLI run beside it uses the same database. Variables already set win.
 * Returns the file it read, or null.
 */
// Runs before loadConfig, to fill in the environment the schema then validates.
// eslint-disable-next-line no-restricted-properties
export function useLauncherConnection(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.DATABASE_URL) return null;
  const root = repoRoot();
  if (!root) return null;
  const file = join(resolve(root, env.CLIPLINE_DATA_DIR || '.data'), 'connection.json');
  if (!existsSync(file)) return null;
  const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (/^[A-Z][A-Z0-9_]*$/.test(key) && typeof value === 'string' && !env[key]) env[key] = value;
  }
  return file;
}
