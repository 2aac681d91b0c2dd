export * from './binaries';
export * from './process-runner';
export * from './probe';
export * from './pcm-stream';
export * from './ffmpeg-errors';
export * from './model-store';
export * from './hub-hash';
export * from './scratch-dir';
