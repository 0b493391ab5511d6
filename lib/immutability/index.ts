export * from './canonical-hash';
export * from './generation';
export * from './naming';
export * from './reference';
export * from './resource-policy';
export * from './immutability-aspect';
