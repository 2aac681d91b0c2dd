import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TranscriptWord } from '@clipline/contracts';
import { probeMedia } from '@clipline/media';
import {
  POCKETSPHINX_FAST_ARGS,
  transcribe,
  transcribeRange,
  type TranscribeOptions,
} from '@clipline/transcription';
import { SHARED_FIXTURES_DIR } from '../fixtures/fixture-cache';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
import { normWords as norm, wordErrorRate as wer } from '../support/word-error';

const JFK_TEXT =
  'and so my fellow americans ask not what your country can do for you ask what you can do for your country';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

/** RSS of this process and all its descendants (ffmpeg, pocketsphinx), from /proc. */
function treeRssMb(pid = process.pid): number {
  let kb = 0;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    kb += m ? Number(m[1]) : 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(/\s+/) : []) kb += treeRssMb(Number(k)) * 1024;
    }
  } catch {
    // The process ended while we looked.
  }
  return kb / 1024;
}

async function measured<T>(fn: () => Promise<T>) {
  let peakTree = 0;
  let peakSelf = 0;
  const timer = setInterval(() => {
    peakTree = Math.max(peakTree, treeRssMb());
    peakSelf = Math.max(peakSelf, process.memoryUsage().rss / 2 ** 20);
  }, 100);
  const t0 = performance.now();
  try {
    const value = await fn();
    return {
      value,
      wallSec: (performance.now() - t0) / 1000,
      peakTreeMb: peakTree,
      peakNodeMb: peakSelf,
    };
  } finally {
    clearInterval(timer);
  }
}

/** Word and sentence timing against the fixture's exact sentence boundaries. */
function timingErrors(words: TranscriptWord[], sentences: Array<{ start: number; end: number }>) {
  const startErr: number[] = [];
  const endErr: number[] = [];
  for (const s of sentences) {
    const inside = words.filter((w) => w.end > s.start - 0.5 && w.start < s.end + 0.5);
    if (!inside.length) continue;
    startErr.push(Math.abs(inside[0].start - s.start));
    endErr.push(Math.abs(inside[inside.length - 1].end - s.end));
  }
  const all = [...startErr, ...endErr];
  return {
    medianBoundaryErrorMs: Math.round(median(all) * 1000),
    medianStartErrorMs: Math.round(median(startErr) * 1000),
    medianEndErrorMs: Math.round(median(endErr) * 1000),
  };
}

export async function runTranscriptionBench(): Promise<Record<string, unknown>> {
  const sentences: string[] = [];
  const pauses: number[] = [];
  for (let i = 0; sentences.length < 135; i++) {
    sentences.push(TALK_SENTENCES[i % TALK_SENTENCES.length]);
    pauses.push([0.6, 1.1, 0.8, 1.6, 0.7, 2.2, 0.9][i % 7]);
  }
  const talk = await buildSpeech({ sentences, pauses });
  const media = await probeMedia(talk.wavPath);
  const dur = media.durationSec;
  const base: TranscribeOptions = { engine: 'pocketsphinx', language: 'en', concurrency: 2 };
  const refTalk = sentences.flatMap(norm);

  const fastOpts = { ...base, pocketsphinxArgs: POCKETSPHINX_FAST_ARGS };
  const fast = await measured(() => transcribe(talk.wavPath, media, fastOpts));
  // Default (accurate) settings are ~3x slower: measured on the first 3 minutes only to keep the bench short.
  const slice = 180;
  const full = await measured(() => transcribeRange(talk.wavPath, 0, slice, base));
  const refSlice = talk.truth.sentences.filter((s) => s.end <= slice).flatMap((s) => norm(s.text));
  const fastSlice = fast.value.words.filter((w) => w.start < slice);
  // Scaling: the same 3 minutes with one lane vs two (the lanes stand in for workers).
  const one = await measured(() =>
    transcribeRange(talk.wavPath, 0, slice, { ...fastOpts, concurrency: 1, chunkSeconds: 30 }),
  );
  const two = await measured(() =>
    transcribeRange(talk.wavPath, 0, slice, { ...fastOpts, concurrency: 2, chunkSeconds: 30 }),
  );
  const jfkPath = join(SHARED_FIXTURES_DIR, 'jfk.wav');
  const jfk = await transcribe(jfkPath, await probeMedia(jfkPath), base);
  const jfkFast = await transcribe(jfkPath, await probeMedia(jfkPath), {
    ...base,
    pocketsphinxArgs: POCKETSPHINX_FAST_ARGS,
  });

  const figures = {
    talkDurationSec: Math.round(dur),
    rtf2CoresDefaultFirst180s: +(full.wallSec / slice).toFixed(3),
    rtf2CoresFastArgs: +(fast.wallSec / dur).toFixed(3),
    werTalkFastArgs: +wer(
      refTalk,
      fast.value.words.map((w) => w.text),
    ).toFixed(3),
    werTalkDefaultFirst180s: +wer(
      refSlice,
      full.value.words.map((w) => w.text),
    ).toFixed(3),
    werTalkFastArgsFirst180s: +wer(
      refSlice,
      fastSlice.map((w) => w.text),
    ).toFixed(3),
    werJfkDefault: +wer(
      norm(JFK_TEXT),
      jfk.words.map((w) => w.text),
    ).toFixed(3),
    werJfkFastArgs: +wer(
      norm(JFK_TEXT),
      jfkFast.words.map((w) => w.text),
    ).toFixed(3),
    timingDefaultFirst180s: timingErrors(
      full.value.words,
      talk.truth.sentences.filter((x) => x.end <= slice),
    ),
    timingFastArgs: timingErrors(fast.value.words, talk.truth.sentences),
    scalingFastArgs180s: {
      oneLaneSec: +one.wallSec.toFixed(1),
      twoLanesSec: +two.wallSec.toFixed(1),
      speedup: +(one.wallSec / two.wallSec).toFixed(2),
    },
    peakRssMb: {
      nodeOnly: Math.round(Math.max(full.peakNodeMb, fast.peakNodeMb)),
      nodePlusChildren: Math.round(Math.max(full.peakTreeMb, fast.peakTreeMb)),
      covers:
        'node process (process.memoryUsage) and node + ffmpeg + pocketsphinx children (/proc VmRSS), sampled every 100 ms',
    },
  };
  console.log('transcription bench', JSON.stringify(figures, null, 2));
  return figures;
}

if (require.main === module) void runTranscriptionBench();
