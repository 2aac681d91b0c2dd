// Builds everything in one TypeScript pass: dist/apps/<app>/src/main.js,
// dist/libs/<lib>/src, dist/migrations. One compile instead of one per app,
// because every app type-checks the same libs. The @clipline/* path aliases
// resolve at run time through small package stubs in dist/node_modules, so the
// emitted code stays exactly what tsc wrote. `nest build <app>` still builds a
// single app on its own (into dist/nest/<app>).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
// node runs the tools directly: npx would add npm's own warnings (the .npmrc's
// onnxruntime-node-install key) to every build's output.
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const timed = (name, fn) => {
  const t = Date.now();
  fn();
  console.log(`built ${name} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
};

// The web app is static files the API serves (WEB_DIST_DIR); Vite builds it.
if (!only.length || only.includes('web')) {
  timed('web', () =>
    execFileSync(
      process.execPath,
      [
        bin('vite', 'bin/vite.js'),
        'build',
        '--config',
        'apps/web/vite.config.mts',
        '--logLevel',
        'warn',
      ],
      {
        cwd: root,
        stdio: 'inherit',
      },
    ),
  );
}

if (!only.length || only.some((n) => n !== 'web')) {
  timed('apps and libs', () => {
    rmSync(join(root, 'dist', 'apps'), { recursive: true, force: true });
    rmSync(join(root, 'dist', 'libs'), { recursive: true, force: true });
    execFileSync(process.execPath, [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
    const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
    for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
      // The @test/* aliases (wildcards) name test code, which the build leaves out.
      if (alias.includes('*')) continue;
      const stubDir = join(root, 'dist', 'node_modules', alias);
      mkdirSync(stubDir, { recursive: true });
      const main = relative(stubDir, join(root, 'dist', target, 'index.js'));
      writeFileSync(
        join(stubDir, 'package.json'),
        JSON.stringify({ name: alias, main }, null, 2) + '\n',
      );
    }
  });
}
