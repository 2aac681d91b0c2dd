// Test data with defaults a test overrides field by field. The media and
// transcript factories are plain data (stage lib specs import those files
// directly, without the database); the others write rows.
export * from './media.factory';
export * from './transcript.factory';
export * from './job.factory';
export * from './segment.factory';
export * from './clip.factory';
export * from './stage-output.factory';
