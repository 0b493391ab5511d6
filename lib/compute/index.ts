export * from './instance-type';
export * from './user-data';
export * from './instance-profile';
export * from './server-settings';
export * from './immutable-launch-template';
