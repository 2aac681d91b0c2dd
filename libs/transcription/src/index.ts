export * from './transcription.types';
export { transcribe, transcribeRange, planChunks, buildResult } from './transcribe';
export { mergeChunkResults, segmentsFromPauses } from './chunk-merge';
export { createEngine } from './engine-factory';
export {
  PocketsphinxEngine,
  POCKETSPHINX_FAST_ARGS,
  parsePocketsphinxOutput,
  usePocketsphinx,
} from './pocketsphinx.engine';
export { OpenAiEngine, parseVerboseTranscription, type OpenAiEngineConfig } from './openai.engine';
export { WhisperEngine, WhisperTokenizer } from './whisper.engine';
export { WHISPER_MODELS, WHISPER_MODEL_FILES, DEFAULT_WHISPER_MODEL } from './whisper-models';
export { toSrt, toVtt, toTxt } from './caption-format';
export {
  transcribeWindow,
  DEFAULT_WINDOW_MARGIN_SEC,
  type WindowTranscript,
  type WindowOptions,
} from './window-transcribe';
