// `cdktf-immutable/docker`: the Docker image pipeline and Docker image sources. A separate
// entry point so that the main one (`cdktf-immutable`) never loads @cdktf/provider-docker,
// an optional peer dependency that only users of these names install. The code lives in
// lib/image (it shares the image room's internals); this room only names it.
export { DockerImagePipeline } from '../image/docker-image-pipeline';
export type { DockerImagePipelineProps } from '../image/docker-image-pipeline';
export { DockerImageSource } from '../image/docker-image-source';
export type { DockerImageSourceConfig, IDockerImagePipeline } from '../image/docker-image-source';
export { hashDockerContext } from '../image/docker-context-hash';
export type { DockerContextHash, DockerContextHashOptions } from '../image/docker-context-hash';
