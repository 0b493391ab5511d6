// The whole public API of cdktf-immutable. Provider resources are imported by deep
// path everywhere in the library (never the @cdktf/provider-aws root), so importing
// this module stays cheap.
export * from './immutability';
export * from './image';
export * from './release';
export * from './review';
export * from './compute';
export * from './deploy';

// Lets code next to a resource record why a checkov check does not apply (npm run scan).
export { suppressCheckov } from './private/checkov';
