import type { ModelFile } from '@clipline/media';

export interface WhisperModelSpec {
  /** Key used in config (TranscribeOptions.whisperModel). */
  name: string;
  english: boolean;
  encoder: ModelFile;
  decoder: ModelFile;
  tokenizer: ModelFile;
}

const HF = 'https://huggingface.co/onnx-community/whisper-base.en/resolve/main';
const LICENCE = 'Apache-2.0 (OpenAI Whisper weights, MIT; ONNX export by onnx-community)';

/**
 * Whisper exports known to the engine. The sha256 fields are empty because no
 * machine that built this had internet: `npm run models:pull` then verifies
 * each download against the checksum Hugging Face publishes for it (LFS
 * sha256, or git blob SHA-1 for small files) and prints the sha256 to pin here.
 */
export const WHISPER_MODELS: Record<string, WhisperModelSpec> = {
  'whisper-base.en': {
    name: 'whisper-base.en',
    english: true,
    encoder: {
      path: 'whisper-base.en/encoder_model.onnx',
      sha256: '',
      url: `${HF}/onnx/encoder_model.onnx`,
      licence: LICENCE,
    },
    decoder: {
      path: 'whisper-base.en/decoder_model.onnx',
      sha256: '',
      url: `${HF}/onnx/decoder_model.onnx`,
      licence: LICENCE,
    },
    tokenizer: {
      path: 'whisper-base.en/tokenizer.json',
      sha256: '',
      url: `${HF}/tokenizer.json`,
      licence: LICENCE,
    },
  },
};

export const DEFAULT_WHISPER_MODEL = 'whisper-base.en';

/** Every file `npm run models:pull` should fetch for transcription. */
export const WHISPER_MODEL_FILES: ModelFile[] = Object.values(WHISPER_MODELS).flatMap((m) => [
  m.encoder,
  m.decoder,
  m.tokenizer,
]);
