/**
 * A strict parser of the Prometheus text exposition format (0.0.4): every
 * sample must belong to a family declared by `# TYPE` before it, with a
 * suffix its type allows, well-formed labels and a numeric value. Anything
 * else throws, so a malformed /metrics fails the test that scrapes it.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES: Record<MetricType, string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, line: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`line ${line}: bad value "${text}"`);
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without "="`);
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name "${name}"`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label ${name} is not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`line ${line}: bad escape \\${next}`);
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`line ${line}: unterminated label value`);
    if (name in labels) throw new Error(`line ${line}: label ${name} repeated`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (i < text.length) throw new Error(`line ${line}: expected "," after label ${name}`);
  }
  return labels;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  text.split('\n').forEach((raw, idx) => {
    const line = idx + 1;
    if (!raw.trim()) return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return;
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name "${name}"`);
      const fam = families.get(name) ?? { name, type: 'untyped' as MetricType, samples: [] };
      if (kind === 'TYPE') {
        if (!(rest in SUFFIXES)) throw new Error(`line ${line}: unknown type "${rest}"`);
        if (fam.samples.length) throw new Error(`line ${line}: TYPE of ${name} after its samples`);
        fam.type = rest as MetricType;
      } else fam.help = rest;
      families.set(name, fam);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(raw);
    if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
    const [, name, , labelText, valueText] = m;
    const fam = [...families.values()].find((f) =>
      SUFFIXES[f.type].some((s) => name === f.name + s),
    );
    if (!fam) throw new Error(`line ${line}: sample ${name} has no TYPE declared before it`);
    const labels = parseLabels(labelText ?? '', line);
    const key = `${name}{${Object.entries(labels)
      .sort()
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (seen.has(key)) throw new Error(`line ${line}: duplicate sample ${key}`);
    seen.add(key);
    fam.samples.push({ name, labels, value: parseValue(valueText, line) });
  });
  for (const f of families.values()) {
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

/** Buckets are cumulative and end at +Inf, which equals _count. */
function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples.filter((x) => x.name === `${f.name}_bucket`)) {
    const { le, ...rest } = s.labels;
    if (le === undefined) throw new Error(`${f.name}_bucket without le`);
    const k = JSON.stringify(Object.entries(rest).sort());
    series.set(k, [...(series.get(k) ?? []), s]);
  }
  for (const [k, buckets] of series) {
    const sorted = buckets.sort((a, b) => parseValue(a.labels.le, 0) - parseValue(b.labels.le, 0));
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i].value < sorted[i - 1].value)
        throw new Error(`${f.name} ${k}: buckets not cumulative`);
    const inf = sorted[sorted.length - 1];
    if (inf.labels.le !== '+Inf') throw new Error(`${f.name} ${k}: no +Inf bucket`);
    const count = f.samples.find(
      (s) => s.name === `${f.name}_count` && JSON.stringify(Object.entries(s.labels).sort()) === k,
    );
    if (!count || count.value !== inf.value)
      throw new Error(`${f.name} ${k}: _count differs from the +Inf bucket`);
  }
}

/** Every sample of a counter, and every _count/_sum/_bucket of a histogram or summary, as a flat key → value map. */
export function monotonicSamples(families: Map<string, Family>): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of families.values()) {
    if (f.type === 'gauge' || f.type === 'untyped') continue;
    for (const s of f.samples) {
      if (f.type === 'summary' && s.name === f.name) continue; // quantiles may go either way
      out.set(`${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`, s.value);
    }
  }
  return out;
}

/** The value of one sample, or undefined. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values())
    for (const s of f.samples)
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        return s.value;
  return undefined;
}
