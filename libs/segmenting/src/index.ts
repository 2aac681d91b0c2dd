export { selectSegments } from './segmenting.stage';
export {
  DEFAULT_SEGMENTING_OPTIONS,
  SCORE_WEIGHTS,
  type ScoreWeights,
  type SegmentingInput,
  type SegmentingJob,
  type SegmentingOptions,
} from './segmenting.types';
export {
  HOOK_WEIGHTS,
  detectHook,
  hookWordKind,
  type HookKind,
  type HookSignal,
} from './hook.detector';
export { sceneCutScore } from './segment.scorer';
export {
  snapClipEdges,
  type ClipEdgesInput,
  type SnappedEdges,
  type EdgeRule,
} from './clip-edges.snapper';
