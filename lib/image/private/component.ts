import { ImagebuilderComponent } from '@cdktf/provider-aws/lib/imagebuilder-component';
import { Construct } from 'constructs';
import { Generation } from '../../immutability/generation';
import { ImmutabilityAspect } from '../../immutability/immutability-aspect';

/** Settings of one owned {@link Component}, checked where they entered (`ImageComponent`, `AmiPipeline`). */
export interface ComponentProps {
  /** Resource name, `<pipeline>-<component>`. */
  readonly name: string;
  /** `Linux` or `Windows`. */
  readonly platform: string;
  /** The AWSTOE document (YAML). */
  readonly document: string;
  /** Description (part of the content). */
  readonly description?: string;
  /** KMS key of the document (part of the content). */
  readonly kmsKeyId?: string;
  /** Tags (not part of the content). */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * One owned `aws_imagebuilder_component`, versioned `1.0.<n>` from the hash of its
 * content (name, platform, document, description, KMS key), so a content change is a
 * new version under the same name.
 *
 * It extends the provider resource rather than wrapping it (as
 * @aws-cdk/aws-imagebuilder-alpha's `Component` does), so that its Terraform address
 * is the one `AmiPipeline` always had (`<pipeline>/Component-<name>`). It is created by
 * `ImageComponent.bind`; `ImageComponent` is the public name of the concept.
 */
export class Component extends ImagebuilderComponent {
  /** The content version, `1.0.<n>` (a literal: the content is known at synth). */
  public readonly componentVersion: string;
  /** The resource name (a literal, unlike the `name` attribute, which is a token). */
  public readonly componentName: string;

  public constructor(scope: Construct, id: string, props: ComponentProps) {
    const content = {
      name: props.name,
      platform: props.platform,
      data: props.document,
      description: props.description,
      kmsKeyId: props.kmsKeyId,
    };
    const version = Generation.of(scope, { type: 'aws_imagebuilder_component', ...content }).semanticVersion;
    super(scope, id, { ...content, version, tags: props.tags });
    // Create-before-destroy: a new version exists before the old one goes.
    ImmutabilityAspect.enable(this);
    this.componentVersion = version;
    this.componentName = props.name;
  }
}
