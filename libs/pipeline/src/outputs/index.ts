export * from './time-window';
export * from './stage-summary';
export * from './transcript.outputs';
export * from './silence.outputs';
export * from './layout.outputs';
export * from './segments.outputs';
export * from './clips.outputs';
