import { buildBenchTalk, buildBenchPodcast, buildSoakClip } from './bench-fixtures';
(async () => {
  for (const [n, f] of [
    ['soak', () => buildSoakClip()],
    ['10', () => buildBenchTalk(10)],
    ['60', () => buildBenchTalk(60)],
    ['pod', () => buildBenchPodcast(60)],
  ] as const) {
    const t0 = Date.now();
    const r = await f();
    console.log(n, r.path, r.durationSec, (Date.now() - t0) / 1000, 's');
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
