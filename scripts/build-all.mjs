// Builds every app with the Nest CLI (tsc builder; path aliases are rewritten
// to relative imports). Output: dist/apps/<app>/apps/<app>/src/main.js.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const nest = JSON.parse(readFileSync(new URL('../nest-cli.json', import.meta.url), 'utf8'));
const only = process.argv.slice(2);
const apps = Object.entries(nest.projects)
  .filter(([name, p]) => p.type === 'application' && (!only.length || only.includes(name)))
  .map(([name]) => name);
// The web app is static files the API serves (WEB_DIST_DIR); Vite builds it.
if (!only.length || only.includes('web')) {
  const t = Date.now();
  execFileSync(
    'npx',
    ['vite', 'build', '--config', 'apps/web/vite.config.mts', '--logLevel', 'warn'],
    { stdio: 'inherit' },
  );
  console.log(`built web in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
for (const app of apps) {
  const t = Date.now();
  execFileSync('npx', ['nest', 'build', app], { stdio: 'inherit' });
  console.log(`built ${app} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
