import { OpenAiEngine } from './openai.engine';
import { PocketsphinxEngine } from './pocketsphinx.engine';
import type { TranscribeOptions, TranscriptionEngine } from './transcription.types';
import { WhisperEngine } from './whisper.engine';

/** The engine named by configuration; call init() on it at worker startup. */
export function createEngine(options: TranscribeOptions): TranscriptionEngine {
  switch (options.engine) {
    case 'pocketsphinx':
      return new PocketsphinxEngine(options.pocketsphinxArgs);
    case 'openai':
      return new OpenAiEngine({
        baseUrl: options.openaiBaseUrl ?? 'https://api.openai.com/v1',
        apiKey: options.openaiApiKey ?? '',
        model: options.openaiModel ?? 'whisper-1',
      });
    case 'whisper':
      return new WhisperEngine({
        modelDir: options.modelDir ?? '',
        model: options.whisperModel,
      });
    default:
      throw new Error(
        `Unknown transcription engine "${String(options.engine)}" (pocketsphinx, openai or whisper).`,
      );
  }
}
