import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Findings } from './invariants';

export interface PhaseResult {
  phase: string;
  injections: number;
  findings: Findings;
  /** Seconds from each fault's end until the work it hit moved again. */
  recoveries: number[];
  seconds: number;
  notes: string[];
}

export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function row(r: PhaseResult) {
  const fmt = (x: number | null) => (x === null ? '-' : Number(x.toFixed(1)));
  return {
    phase: r.phase,
    injections: r.injections,
    lost: r.findings.lost.length,
    duplicated: r.findings.duplicated.length,
    stuck: r.findings.stuck.length,
    overRetried: r.findings.overRetried.length,
    lateWrites: r.findings.lateWrites.length,
    crashed: r.findings.crashed.length,
    leftovers: r.findings.leftovers.length,
    recoveryP50: fmt(percentile(r.recoveries, 50)),
    recoveryP95: fmt(percentile(r.recoveries, 95)),
    seconds: Math.round(r.seconds),
  };
}

/** Prints the table and writes it, with every finding, to test/artifacts/faults.json. */
export function writeReport(seed: number, results: PhaseResult[]): void {
  const all: PhaseResult = {
    phase: 'total',
    injections: results.reduce((n, r) => n + r.injections, 0),
    findings: {
      lost: results.flatMap((r) => r.findings.lost),
      duplicated: results.flatMap((r) => r.findings.duplicated),
      stuck: results.flatMap((r) => r.findings.stuck),
      overRetried: results.flatMap((r) => r.findings.overRetried),
      lateWrites: results.flatMap((r) => r.findings.lateWrites),
      crashed: results.flatMap((r) => r.findings.crashed),
      leftovers: results.flatMap((r) => r.findings.leftovers),
    },
    recoveries: results.flatMap((r) => r.recoveries),
    seconds: results.reduce((n, r) => n + r.seconds, 0),
    notes: [],
  };
  const table = [...results, all].map(row);
  console.log(`fault suite, FAULTS_SEED=${seed}`);
  console.table(table);
  for (const r of results)
    for (const [kind, list] of Object.entries(r.findings))
      for (const line of list) console.log(`[${r.phase}] ${kind}: ${line}`);
  const dir = join(__dirname, '..', 'artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'faults.json'),
    JSON.stringify({ seed, at: new Date().toISOString(), table, phases: results }, null, 2) + '\n',
  );
}
