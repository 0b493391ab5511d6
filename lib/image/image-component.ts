import { existsSync, readFileSync, statSync } from 'fs';
import { basename, extname } from 'path';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { imageBuilderVersionedArn } from '../private/aws-ids';
import { show, Validator } from '../private/validation';
import { Component } from './private/component';
import { validateComponentDocument } from './private/component-document';

/** Operating system family of an AMI and of its owned components (Image Builder platform). */
export type AmiPlatform = 'Linux' | 'Windows';

/** Options of every {@link ImageComponent} factory. */
export interface ImageComponentOptions {
  /**
   * Values for the parameters the component document declares, passed by the recipe.
   * @default - no parameters (the document's defaults apply)
   */
  readonly parameters?: { readonly [name: string]: string };
}

/** Options of {@link ImageComponent.fromInline} and {@link ImageComponent.fromFile}. */
export interface OwnedImageComponentOptions extends ImageComponentOptions {
  /**
   * Description of the component resource. Part of the component's content: a change
   * gives a new component version.
   * @default - no description
   */
  readonly description?: string;
}

/** Options of {@link ImageComponent.fromFile}. */
export interface ImageComponentFileOptions extends OwnedImageComponentOptions {
  /**
   * Name of the component within its pipeline.
   * @default - the file name without its extension
   */
  readonly name?: string;
}

/** Options of {@link ImageComponent.bind}: the settings of the pipeline that runs the component. */
export interface ImageComponentBindOptions {
  /** The pipeline's name: an owned component's resource is named `<pipelineName>-<component>`. */
  readonly pipelineName: string;
  /**
   * Platform of an owned component.
   * @default 'Linux'
   */
  readonly platform?: AmiPlatform;
  /**
   * KMS key (ARN) that encrypts an owned component's document.
   * @default - an AWS managed key
   */
  readonly kmsKeyId?: string;
  /**
   * Tags of an owned component's resource.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}

/** A component as an {@link ImageRecipe} lists it: what {@link ImageComponent.bind} returns. */
export interface ImageComponentConfig {
  /** ARN of the component version (a token for an owned component, known after apply). */
  readonly componentArn: string;
  /** Parameter values passed by the recipe, sorted by name. */
  readonly parameters: readonly ImageComponentParameter[];
  /**
   * Resource name of an owned component.
   * @default - none: a managed component, identified by its ARN
   */
  readonly name?: string;
  /**
   * Version (`1.0.<n>`) of an owned component. The recipe version hashes the name and
   * this version instead of the ARN, which is a token until apply.
   * @default - none: a managed component, identified by its ARN
   */
  readonly version?: string;
}

/** A parameter value passed to a component by a recipe. */
export interface ImageComponentParameter {
  /** Parameter name, as declared by the component document. */
  readonly name: string;
  /** Value. */
  readonly value: string;
}

const COMPONENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/;
const COMPONENT_NAME_RULE =
  '1 to 60 letters, digits, "_" or "-", starting with a letter or digit (it names the component resource, ' +
  '<pipeline>-<name>)';
const MANAGED_ARN = imageBuilderVersionedArn('component');
const PARAMETER_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * One build, validate or test step of an AMI: a component document that the pipeline
 * owns (inline YAML or a file, validated at synth and versioned by its content), or a
 * component AWS (or another account) publishes, by ARN.
 *
 * A choice class: pass it to `AmiPipeline` (`components`), which binds it. Binding an
 * owned component creates its `aws_imagebuilder_component` resource, named
 * `<pipeline>-<component>`, with the version `1.0.<n>` derived from its content, so a
 * content change is a new version (never ResourceAlreadyExists) and unchanged content
 * produces no diff. This is the library's one name for a component; unlike
 * @aws-cdk/aws-imagebuilder-alpha there is no separate public `Component` construct.
 */
export class ImageComponent {
  /**
   * A component document given as YAML text.
   * @param name the component's name within the pipeline (letters, digits, `_`, `-`)
   * @param document an AWSTOE document: `schemaVersion: 1.0` and `phases` (build,
   *   validate, test) with steps
   */
  public static fromInline(name: string, document: string, options: OwnedImageComponentOptions = {}): ImageComponent {
    const check = new Validator('ImageComponent.fromInline');
    checkName(check, 'name', name);
    if (Token.isUnresolved(document)) {
      check.fail(
        `document of component ${show(name)} is a token; the document must be known at synth so that its version ` +
          `can be derived from its content.`,
      );
    }
    checkDocument(check, `document of component ${show(name)}`, document);
    checkParameters(check, options.parameters);
    return new ImageComponent(name, document, undefined, options.parameters ?? {}, options.description);
  }

  /**
   * A component document read from a YAML file at synth.
   * @param path the file (relative paths are resolved from the current directory)
   */
  public static fromFile(path: string, options: ImageComponentFileOptions = {}): ImageComponent {
    const check = new Validator('ImageComponent.fromFile');
    if (!existsSync(path)) {
      check.fail(
        `path (${show(path)}) does not exist; give the path of a component document (YAML), such as ` +
          `path.join(__dirname, "components/install.yml").`,
      );
    }
    if (!statSync(path).isFile()) {
      check.fail(`path (${show(path)}) is a folder; give the path of a component document file.`);
    }
    const name = options.name ?? basename(path, extname(path));
    checkName(check, options.name === undefined ? `the file name of ${path}` : 'name', name);
    const document = readFileSync(path, 'utf8');
    checkDocument(check, `path (${show(path)})`, document);
    checkParameters(check, options.parameters);
    return new ImageComponent(name, document, undefined, options.parameters ?? {}, options.description);
  }

  /**
   * A component published by AWS (or shared with you), e.g.
   * `arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x`. A wildcard
   * version (`x.x.x`) follows new releases on scheduled rebuilds that wait for updated
   * dependencies; a pinned version never changes.
   */
  public static fromManagedArn(arn: string, options: ImageComponentOptions = {}): ImageComponent {
    const check = new Validator('ImageComponent.fromManagedArn');
    check.pattern(
      'arn',
      arn,
      MANAGED_ARN,
      'an Image Builder component ARN, arn:aws:imagebuilder:<region>:aws:component/<name>/<version>, such as ' +
        'arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x',
    );
    checkParameters(check, options.parameters);
    const name = Token.isUnresolved(arn) ? 'managed' : arn.split('/')[1];
    return new ImageComponent(name, undefined, arn, options.parameters ?? {}, undefined);
  }

  private constructor(
    /** The component's name (for managed components, the name in the ARN). */
    public readonly name: string,
    /** The YAML document of an owned component; undefined for managed components. */
    public readonly document: string | undefined,
    /** The ARN of a managed component; undefined for owned components. */
    public readonly managedArn: string | undefined,
    /** Parameter values passed by the recipe. */
    public readonly parameters: { readonly [name: string]: string },
    /** Description of an owned component. */
    public readonly description: string | undefined,
  ) {}

  /**
   * Called once by the pipeline (or recipe) that runs this component. An owned
   * component creates its `aws_imagebuilder_component` in `scope`, with the id
   * `Component-<name>`; a managed component creates nothing.
   */
  public bind(scope: Construct, options: ImageComponentBindOptions): ImageComponentConfig {
    const parameters = Object.keys(this.parameters)
      .sort()
      .map((key) => ({ name: key, value: this.parameters[key] }));
    if (this.document === undefined) {
      return { componentArn: this.managedArn!, parameters };
    }
    const component = new Component(scope, `Component-${this.name}`, {
      name: `${options.pipelineName}-${this.name}`,
      platform: options.platform ?? 'Linux',
      document: this.document,
      description: this.description,
      kmsKeyId: options.kmsKeyId,
      tags: options.tags,
    });
    return {
      componentArn: component.arn,
      parameters,
      name: component.componentName,
      version: component.componentVersion,
    };
  }
}

function checkName(check: Validator, prop: string, name: string): void {
  if (Token.isUnresolved(name)) {
    check.fail(`${prop} is a token; a component name must be known at synth: ${COMPONENT_NAME_RULE}.`);
  }
  check.pattern(prop, name, COMPONENT_NAME, COMPONENT_NAME_RULE);
}

/** The document checker throws plain errors; here they become the factory's, naming the document. */
function checkDocument(check: Validator, what: string, document: string): void {
  check.reportAs(`${what}: `, () => validateComponentDocument(document));
}

function checkParameters(check: Validator, parameters: { readonly [name: string]: string } | undefined): void {
  for (const name of Object.keys(parameters ?? {})) {
    check.pattern(
      'parameters key',
      name,
      PARAMETER_NAME,
      'letters, digits, "_" or "-", as declared in the component document',
    );
  }
}
