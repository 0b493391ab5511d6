import { statSync } from 'fs';
import { resolve } from 'path';
import { AssetType, TerraformAsset, TerraformOutput, TerraformResource, Token } from 'cdktf';
import { Image } from '@cdktf/provider-docker/lib/image';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image';
import { Construct } from 'constructs';
import { Generation } from '../immutability/generation';
import { ImmutabilityAspect } from '../immutability/immutability-aspect';
import { isLiteral, show, Validator } from '../private/validation';
import { hashCheckedContext } from './private/context-hash';
import { dockerfileInContext } from './private/docker-files';
import { replacementTriggers } from './private/image-layout';
import { DockerImageSourceConfig, IDockerImagePipeline } from './docker-image-source';

/** What `docker build` runs with, checked, with empty maps left out. */
interface DockerBuild {
  readonly contextPath: string;
  readonly dockerfile: string;
  readonly buildArgs?: { readonly [name: string]: string };
  readonly target?: string;
  readonly platform?: string;
  readonly labels?: { readonly [name: string]: string };
}

/** Properties of {@link DockerImagePipeline}. */
export interface DockerImagePipelineProps {
  /**
   * Repository of the image, without tag: `[registry[:port]/]path`, lowercase, e.g.
   * `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web` or `localhost:5000/web`.
   */
  readonly repository: string;
  /** The build context folder (read and hashed at synth). */
  readonly contextPath: string;
  /**
   * Path of the Dockerfile relative to the context folder.
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;
  /**
   * Build arguments (`--build-arg`). Part of the tag: a change rebuilds.
   * @default - none
   */
  readonly buildArgs?: { readonly [name: string]: string };
  /**
   * Build stage to stop at (`--target`). Part of the tag.
   * @default - the last stage
   */
  readonly target?: string;
  /**
   * Platform to build for (`--platform`), `os/arch[/variant]` such as `linux/amd64` or
   * `linux/arm64`. Part of the tag.
   * @default - the Docker engine's platform
   */
  readonly platform?: string;
  /**
   * Push the image to its registry (docker_registry_image), which gives the immutable
   * `repo@sha256:` reference. Pushed tags are kept when a new image replaces them, so
   * that a rollback can still pull the previous digest.
   * @default false
   */
  readonly push?: boolean;
  /**
   * Labels of the image (`--label`). Part of the tag: a change rebuilds, because the
   * labels are in the image's config and Docker provider 3.6 would otherwise only
   * re-read the image under the same name.
   * @default - none
   */
  readonly labels?: { readonly [name: string]: string };
}

/** One path component of a repository: lowercase words joined by `.`, `_`, `__` or hyphens. */
const PATH_COMPONENT = '[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*';
/** `[registry[:port]/]path`, as Docker's reference grammar has it. */
const REPOSITORY = new RegExp(
  `^(([a-zA-Z0-9-]+\\.)*[a-zA-Z0-9-]+(:\\d+)?\\/)?${PATH_COMPONENT}(\\/${PATH_COMPONENT})*$`,
);
const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OS = ['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'aix', 'wasip1'];
const ARCH = [
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  'ppc64',
  's390x',
  'riscv64',
  'mips64le',
  'mips64',
  'mipsle',
  'mips',
  'loong64',
  'wasm',
];
const VARIANT = /^(v[1-9])$/;

/**
 * Builds a Docker image from a context folder, tagged with the content hash of what
 * the build sees, computed at synth: the context files that `.dockerignore` keeps
 * (paths, bytes, executable bits; not modification times), the Dockerfile, the
 * `.dockerignore`, the build args, the target, the platform and the labels. Same content, same tag,
 * no diff; any change, a new tag, so `docker_image` (id `Resource`) is replaced and
 * rebuilt (its `triggers` also carry the full hash).
 *
 * With `push`, a `docker_registry_image` pushes the tag and exposes the digest:
 * {@link imageReference} is then the immutable `repo@sha256:...` reference; without it,
 * the reference is the local image's repo digest (empty until the image has been
 * pushed or pulled once).
 *
 * The context is copied into the synth output as a cdktf asset
 * (`assets/<id>/<tag>/`), so the synthesized JSON holds no machine-specific path.
 */
export class DockerImagePipeline extends Construct implements IDockerImagePipeline {
  /** The tag: the content hash (10 hex characters, a token when a build arg is a token). */
  public readonly tag: string;
  /** `<repository>:<tag>`. */
  public readonly imageName: string;
  /** Full SHA-256 of the context (see `hashDockerContext`). */
  public readonly contextHash: string;
  /** The immutable reference `repo@sha256:<digest>` (a token, known after apply). */
  public readonly imageReference: string;
  /** The repository. */
  public readonly repository: string;

  /** The pushed image (or the built one, without `push`): its replacement is a new image. */
  private readonly produced: TerraformResource;

  public constructor(scope: Construct, id: string, props: DockerImagePipelineProps) {
    super(scope, id);
    ImmutabilityAspect.enable(this);
    const check = new Validator(this);
    validate(check, props);
    const contextPath = resolve(props.contextPath);
    const dockerfile = check.reportAs(`dockerfile (${show(props.dockerfile ?? 'Dockerfile')}) `, () =>
      dockerfileInContext(contextPath, props.dockerfile ?? 'Dockerfile'),
    );
    const context = check.reportAs(`contextPath (${show(props.contextPath)}) cannot be hashed: `, () =>
      hashCheckedContext(contextPath, dockerfile),
    );
    this.contextHash = context.hash;
    this.repository = props.repository;

    const build: DockerBuild = {
      contextPath,
      dockerfile,
      buildArgs: props.buildArgs && Object.keys(props.buildArgs).length > 0 ? { ...props.buildArgs } : undefined,
      target: props.target,
      platform: props.platform,
      labels: props.labels && Object.keys(props.labels).length > 0 ? { ...props.labels } : undefined,
    };
    const { contextPath: _path, ...hashed } = build;
    const generation = Generation.of(this, { context: context.hash, ...hashed });
    this.tag = generation.hash;
    this.imageName = `${props.repository}:${this.tag}`;
    // The tag is the generation, so the name changes whenever what is built changes: the
    // immutability aspect accepts a name that ends with a generation of the same app.
    const image = this.buildImage(build, context.hash);

    if (props.push) {
      const registry = new RegistryImage(this, 'Registry', {
        name: this.imageName,
        // Never delete a pushed tag on replacement: rollbacks pull the previous digest.
        keepRemotely: true,
        dependsOn: [image],
      });
      this.produced = registry;
      this.imageReference = `${props.repository}@${registry.sha256Digest}`;
    } else {
      this.produced = image;
      this.imageReference = image.repoDigest;
    }
    new TerraformOutput(this, 'Tag', { value: this.tag, description: `Content tag of ${props.repository}` });
    new TerraformOutput(this, 'ImageReference', {
      value: this.imageReference,
      description: `Immutable reference (repo@sha256:...) of ${props.repository}`,
    });
  }

  /**
   * The build context as a synth asset (id `Context`) and the image built from it
   * (id `Resource`), named `<repository>:<tag>`.
   */
  private buildImage(build: DockerBuild, contextHash: string): Image {
    const asset = new TerraformAsset(this, 'Context', {
      path: build.contextPath,
      type: AssetType.DIRECTORY,
      assetHash: Token.isUnresolved(this.tag) ? contextHash.slice(0, Generation.HASH_LENGTH) : this.tag,
    });
    return new Image(this, 'Resource', {
      name: this.imageName,
      buildAttribute: {
        context: asset.path,
        dockerfile: build.dockerfile,
        buildArgs: build.buildArgs,
        target: build.target,
        platform: build.platform,
        label: build.labels,
      },
      platform: build.platform,
      triggers: { context_hash: contextHash },
      keepLocally: true,
    });
  }

  /** The reference, and replace_triggered_by on the pushed (or built) image for a consumer in this stack. */
  public bindImage(scope: Construct): DockerImageSourceConfig {
    return {
      imageReference: this.imageReference,
      replaceTriggeredBy: replacementTriggers(this.produced, scope),
      description: `docker-pipeline:${this.repository}`,
    };
  }
}

function validate(check: Validator, props: DockerImagePipelineProps): void {
  if (Token.isUnresolved(props.contextPath)) {
    check.fail('contextPath is a token; it must be a folder on this machine, read at synth.');
  }
  const stat = statSync(props.contextPath, { throwIfNoEntry: false });
  if (!stat) {
    check.fail(
      `contextPath (${show(props.contextPath)}) does not exist; pass the folder that holds the Dockerfile, such as ` +
        `path.join(__dirname, "app").`,
    );
  }
  if (!stat.isDirectory()) {
    check.fail(`contextPath (${show(props.contextPath)}) is a file; pass the folder that holds the Dockerfile.`);
  }
  const repository = props.repository;
  if (isLiteral(repository) && /[:@]/.test(repository.split('/').slice(-1)[0])) {
    check.fail(
      `repository (${show(repository)}) includes a tag or digest; give the repository only, the tag is the content ` +
        `hash.`,
    );
  }
  if (isLiteral(repository) && (!REPOSITORY.test(repository) || repository.length > 255)) {
    check.fail(
      `repository (${show(repository)}) is not a repository name; use lowercase [registry[:port]/]path such as ` +
        `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web or localhost:5000/web.`,
    );
  }
  check.pattern('target', props.target, TARGET, 'a build stage name (letters, digits, "_", ".", "-")');
  const platform = props.platform;
  if (isLiteral(platform)) {
    const [os, arch, variant, ...rest] = platform.split('/');
    if (
      !OS.includes(os) ||
      arch === undefined ||
      !ARCH.includes(arch) ||
      (variant !== undefined && !VARIANT.test(variant)) ||
      rest.length > 0
    ) {
      check.fail(
        `platform (${show(platform)}) must be os/arch[/variant] with a known os (${OS.slice(0, 3).join(', ')}...) ` +
          `and arch (${ARCH.slice(0, 4).join(', ')}...), such as "linux/amd64", "linux/arm64" or "linux/arm/v7".`,
      );
    }
  }
  for (const name of Object.keys(props.buildArgs ?? {})) {
    check.pattern('buildArgs key', name, BUILD_ARG, 'an ARG name (letters, digits, "_", not starting with a digit)');
  }
}
