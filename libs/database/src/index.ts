export * from './entities';
export { createDataSource, dataSourceOptions } from './data-source';
