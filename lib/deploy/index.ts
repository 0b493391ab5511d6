export * from './traffic';
export * from './fleet-scaling';
export * from './fleet-load-balancer';
export * from './fleet-options';
export * from './blue-green-fleet';
export * from './replace-fleet';
