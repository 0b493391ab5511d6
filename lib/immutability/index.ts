// Generation identity: canonical hashing, naming within AWS limits, bare references,
// the resource policy list and the immutability aspect, and the acknowledgement of security
// downgrades, which shares the aspect's mechanism.
export { contentHash } from './canonical-hash';
export type { ContentHash, ContentHashOptions } from './canonical-hash';
export { Generation } from './generation';
export { generationName, NameRule } from './naming';
export type { GenerationNameProps } from './naming';
export { bareReference } from './reference';
export { ResourcePolicy } from './resource-policy';
export type { ImmutableTypeRule, ResourceClass } from './resource-policy';
export { ImmutabilityAspect } from './immutability-aspect';
export { acknowledgeSecurityDowngrade } from './security-downgrades';
export type { SecurityDowngrade } from './security-downgrades';
export type { LifecycleAcknowledgement } from './immutability-aspect';
export type { LifecycleAcknowledgementId } from './lifecycle-metadata';
