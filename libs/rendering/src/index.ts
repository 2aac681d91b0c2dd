export * from './render.types';
export {
  renderClip,
  planRender,
  RENDER_DEFAULTS,
  SCALE_FLAGS,
  type RenderPlan,
} from './render.stage';
export { withWorkDir } from './work-dir';
export { planKeptRanges, keptDuration, mapTime, mapWords, type Ranges } from './cut-plan';
export {
  groupCaptionLines,
  buildAss,
  buildVtt,
  buildSrt,
  captionStyleFor,
  DEFAULT_LINE_RULES,
  type CaptionLine,
  type LineRules,
  type AssStyle,
  type AssTitle,
} from './captions.builder';
export {
  audiogramLayout,
  cleanTitle,
  titleFromFilename,
  TITLE_MAX_CHARS,
  type AudiogramLayout,
} from './audiogram.builder';
export { buildCropPath, cropExpression, cropAt, type CropPath, type CropPiece } from './crop-path';
export { escapeFilterValue } from './filter-escape';
export { bundledFontsDir, CAPTION_FONT_NAME, useFontsDir } from './fonts';
export {
  buildStyledAss,
  lineRulesFor,
  keywordNorm,
  type StyledAssInput,
  type HookTitleEvent,
} from './caption-templates';
export { hookTitleText, firstSentence } from './hook-title';
export {
  chooseLayout,
  splitScreenPlans,
  videoLayoutChain,
  MIN_FACE_SHARE,
  type StoredLayout,
  type LayoutChoiceInput,
  type VideoLayout,
} from './layout-modes';
export { planStill, renderStill, type StillPlan } from './still.renderer';
export {
  planClipLook,
  type ClipLookInput,
  type ClipLookPlan,
  type StoredAnalysis,
} from './clip-look.plan';
