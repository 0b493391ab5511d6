// Images: the AMI pipeline and the Image Builder constructs it composes, and the
// sources that hand images to launch templates.
export { AmiPipeline } from './ami-pipeline';
export type { AmiPipelineAttributes, AmiPipelineProps } from './ami-pipeline';
export { ImageComponent } from './image-component';
export type {
  AmiPlatform,
  ImageComponentBindOptions,
  ImageComponentConfig,
  ImageComponentFileOptions,
  ImageComponentOptions,
  ImageComponentParameter,
  OwnedImageComponentOptions,
} from './image-component';
export { ImageRecipe } from './image-recipe';
export type { ImageRecipeProps } from './image-recipe';
export { InfrastructureConfiguration } from './infrastructure-configuration';
export type {
  AmiBuildInfrastructureProps,
  AmiBuildLogging,
  InfrastructureConfigurationProps,
} from './infrastructure-configuration';
export { DistributionConfiguration } from './distribution-configuration';
export type { AmiDistributionProps, DistributionConfigurationProps } from './distribution-configuration';
export { Image } from './image';
export type { ImageProps } from './image';
export { ImagePipeline } from './image-pipeline';
export type { ImagePipelineProps } from './image-pipeline';
export { LifecyclePolicy } from './lifecycle-policy';
export type { LifecyclePolicyProps } from './lifecycle-policy';
export type { BlockDevice, EbsVolumeType } from './block-device';
export { ParentImage } from './parent-image';
export type { ManagedParentImageOptions, ParentImageConfig } from './parent-image';
export { ImageSchedule } from './image-schedule';
export type { ImageScheduleOptions } from './image-schedule';
export { ImageRetention } from './image-retention';
export type { ImageRetentionOptions } from './image-retention';
// Tag keys of the AMIs the pipelines build and the fleets mark (an in-use mark protects an AMI from retention).
export { IMAGE_TAG_KEYS } from './image-tags';
export type { ImageTag } from './image-tags';
export { ImageSource } from './image-source';
export type { IAmiPipeline, IImageSource, ImageSourceConfig } from './image-source';
// The Docker image pipeline, Docker image sources and hashDockerContext live in this room
// but are exported by lib/docker (`cdktf-immutable/docker`), so that this index never
// loads @cdktf/provider-docker.
