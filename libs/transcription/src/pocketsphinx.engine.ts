import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BadInputError, type TranscriptWord } from '@clipline/contracts';
import { makeScratchDir, runCollect, scratchError } from '@clipline/media';
import { rm, writeFile } from 'node:fs/promises';
import { floatToInt16 } from './pcm-encoding';
import {
  ENGINE_SAMPLE_RATE,
  type EngineChunkContext,
  type EngineChunkOutput,
  type TranscriptionEngine,
} from './transcription.types';

/** Below normal, so short stages on the same cores go first (see transcribeChunk). */
const RECOGNISER_NICENESS = 10;

/**
 * Where pocketsphinx lives. Engines never read the environment: a process entry
 * point passes POCKETSPHINX_BIN/POCKETSPHINX_MODEL_DIR from its validated config
 * (`applyToolSettings` in libs/pipeline); these are the Debian package's paths.
 */
export let POCKETSPHINX_BIN = 'pocketsphinx_continuous';
export let POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

export function usePocketsphinx(paths: { bin?: string; modelDir?: string }): void {
  if (paths.bin) POCKETSPHINX_BIN = paths.bin;
  if (paths.modelDir) POCKETSPHINX_MODEL_DIR = paths.modelDir;
}

/**
 * Narrower beams and fewer Gaussians: about 2.5x faster than pocketsphinx's
 * defaults for somewhat worse words (see the transcription bench). The worker
 * uses them unless POCKETSPHINX_PRESET=accurate, because the stage must keep
 * up with hours of audio; the engine alone keeps pocketsphinx's defaults.
 */
export const POCKETSPHINX_FAST_ARGS = [
  '-beam',
  '1e-40',
  '-wbeam',
  '1e-20',
  '-pbeam',
  '1e-40',
  '-maxhmmpf',
  '3000',
  '-topn',
  '2',
];

const WORD_LINE = /^(\S+) (\d+\.\d+) (\d+\.\d+) (-?\d+(?:\.\d+)?)$/;
/** Fillers and markers pocketsphinx reports next to real words. */
const NON_WORD = /^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+)$/;

/** Parses `pocketsphinx_continuous -time yes` output: hypothesis lines, then one "word start end conf" line per token. */
export function parsePocketsphinxOutput(stdout: string): TranscriptWord[] {
  const words: TranscriptWord[] = [];
  for (const line of stdout.split('\n')) {
    const m = WORD_LINE.exec(line.trim());
    if (!m || NON_WORD.test(m[1])) continue;
    words.push({
      text: m[1].replace(/\(\d+\)$/, ''),
      start: Number(m[2]),
      // Its end is the last frame's start; +10 ms makes it the frame's end.
      end: Number(m[3]) + 0.01,
      confidence: Math.max(0, Math.min(1, Number(m[4]))),
    });
  }
  return words;
}

export class PocketsphinxEngine implements TranscriptionEngine {
  readonly name = 'pocketsphinx' as const;
  readonly model = 'cmusphinx en-us';
  modelVersion = 'pocketsphinx en-us';
  readonly punctuates = false;

  constructor(
    private readonly extraArgs: string[] = [],
    private readonly modelDir: string = POCKETSPHINX_MODEL_DIR,
  ) {}

  private modelArgs(): string[] {
    return [
      '-hmm',
      join(this.modelDir, 'en-us'),
      '-lm',
      join(this.modelDir, 'en-us.lm.bin'),
      '-dict',
      join(this.modelDir, 'cmudict-en-us.dict'),
    ];
  }

  async init(): Promise<void> {
    for (const f of ['en-us/mdef', 'en-us.lm.bin', 'cmudict-en-us.dict']) {
      if (!existsSync(join(this.modelDir, f))) {
        throw new Error(
          `pocketsphinx model file ${join(this.modelDir, f)} is missing: install the Debian package pocketsphinx-en-us or set POCKETSPHINX_MODEL_DIR.`,
        );
      }
    }
    const res = await runCollect('dpkg-query', ['-W', '-f=${Version}', 'pocketsphinx']).catch(
      () => null,
    );
    const version = res && res.code === 0 ? res.stdout.toString().trim() : '';
    this.modelVersion = `pocketsphinx ${version || 'unknown'} en-us`;
    // Fails now, with a clear message, if the binary is not installed.
    await this.transcribeChunk(new Float32Array(ENGINE_SAMPLE_RATE / 10), { language: 'en' }).catch(
      (err: Error) => {
        throw new Error(
          `pocketsphinx is not usable (${err.message}); install the Debian package pocketsphinx.`,
        );
      },
    );
  }

  async transcribeChunk(pcm: Float32Array, ctx: EngineChunkContext): Promise<EngineChunkOutput> {
    if (!/^(en|en-us|auto)$/i.test(ctx.language)) {
      throw new BadInputError(
        `The pocketsphinx engine has only an English model; language "${ctx.language}" needs the whisper or openai engine.`,
      );
    }
    // Node's stdin pipes are sockets, which pocketsphinx cannot open as /dev/stdin: use a temp file.
    const dir = await makeScratchDir('ps');
    const raw = join(dir, 'chunk.raw');
    const args = [
      '-infile',
      raw,
      '-time',
      'yes',
      '-logfn',
      '/dev/null',
      '-samprate',
      String(ENGINE_SAMPLE_RATE),
      ...this.modelArgs(),
      ...this.extraArgs,
    ];
    try {
      await writeFile(raw, floatToInt16(pcm, true)).catch((err: unknown) => {
        throw scratchError(dir, err);
      });
      const res = await runCollect(POCKETSPHINX_BIN, args, {
        onCommand: ctx.onCommand,
        signal: ctx.signal,
        stderrTail: 2048,
        // Transcription is the pipeline's long pole and is CPU-bound for
        // minutes; below normal priority it yields the cores to the short
        // stages (silence, layout) running beside it, which then finish in
        // their own time instead of transcription's, at no cost to the total.
        niceness: RECOGNISER_NICENESS,
      });
      if (res.code !== 0) {
        throw new Error(
          `pocketsphinx exited with code ${res.code}: ${res.stderrTail.trim().slice(-300)}`,
        );
      }
      return { words: parsePocketsphinxOutput(res.stdout.toString('utf8')), segments: [] };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
