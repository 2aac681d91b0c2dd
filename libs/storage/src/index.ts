export * from './object-keys';
export * from './storage.service';
export * from './storage.factory';
