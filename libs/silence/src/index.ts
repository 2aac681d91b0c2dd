export { detectSilence, type SilenceModelOptions } from './silence.stage';
export {
  DEFAULT_SILENCE_OPTIONS,
  resolveSilenceOptions,
  type SilenceOptions,
} from './silence-options';
export { LevelMeter, FLOOR_DB } from './level-meter';
export { chooseThreshold, loudnessRegions, type LoudnessThreshold } from './loudness.detector';
export { speechRegions, type SpeechAnalysis } from './speech.detector';
export {
  SileroVad,
  sileroModelPath,
  useSileroModel,
  VAD_FRAME_SEC,
  VAD_SAMPLE_RATE,
  type VadEngineOptions,
} from './vad.detector';
export { matchRegions, type MatchReport, type Span } from './region-match';
