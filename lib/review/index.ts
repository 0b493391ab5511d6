export * from './preview';
export * from './guard';
