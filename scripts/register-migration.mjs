// Adds a generated migration to migrations/index.ts, keeping the list ordered by timestamp.
import { readFileSync, writeFileSync } from 'node:fs';
const [mod, cls] = process.argv.slice(2);
const path = new URL('../migrations/index.ts', import.meta.url);
const src = readFileSync(path, 'utf8');
const imports = [...src.matchAll(/^import \{ (\w+) \} from '\.\/([\w-]+)';$/gm)].map((m) => ({
  cls: m[1],
  mod: m[2],
}));
if (!imports.some((i) => i.cls === cls)) imports.push({ cls, mod });
imports.sort((a, b) => a.mod.localeCompare(b.mod));
const out = [
  ...imports.map((i) => `import { ${i.cls} } from './${i.mod}';`),
  '',
  '// Kept in order by scripts/migration-generate.sh; every app imports this list.',
  `export const MIGRATIONS: Array<new () => unknown> = [${imports.map((i) => i.cls).join(', ')}];`,
  '',
].join('\n');
writeFileSync(path, out);
