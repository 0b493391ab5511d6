export * from './release-file';
export * from './transitions';
export * from './release-store';
