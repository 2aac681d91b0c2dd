export * from './export.types';
export * from './frame-rate';
export { canDropFrame, framesToTimecode, timecodeToFrames } from './timecode';
export { buildExportClip, exportSourceOf, type ExportClipInput } from './edit-plan.builder';
export { placementOf, windowOf } from './placement';
export {
  placeEvents,
  clipLength,
  keyframesIn,
  interpolateCrop,
  type PlacedEvent,
} from './timeline';
export { writeFcpxml, FCPXML_VERSION } from './fcpxml.writer';
export { writeXmeml } from './xmeml.writer';
export { writeEdl } from './edl.writer';
export { writeOtio, OTIO_METADATA_KEY } from './otio.writer';
export { writeSrt } from './srt.writer';
export { writeExport, type ExportFile } from './export.writer';
export { safeFileName } from './file-name';
