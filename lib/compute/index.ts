// Servers: the generation-named launch template, its instance profile, instance types
// and user data.
export { ImmutableLaunchTemplate } from './immutable-launch-template';
export type { ImmutableLaunchTemplateProps } from './immutable-launch-template';
export { InstanceProfile, SSM_MANAGED_INSTANCE_CORE } from './instance-profile';
export type { IInstanceProfile, InstanceProfileProps } from './instance-profile';
export { InstanceType } from './instance-type';
export type { CpuManufacturer, InstanceRequirements, Range } from './instance-type';
export type { MetadataOptions, ServerSettings } from './server-settings';
export { UserData } from './user-data';
export type { ContainerUserDataOptions } from './user-data';
