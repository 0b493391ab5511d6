import { existsSync, readFileSync, statSync } from 'fs';
import { basename, extname } from 'path';
import { Token } from 'cdktf';
import { validateComponentDocument } from '../private/component-document';

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

const COMPONENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/;
const MANAGED_ARN = /^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:(aws|aws-marketplace|\d{12}):component\/[a-z0-9_-]+\/(\d+|x)\.(\d+|x)\.(\d+|x)(\/\d+)?$/;
const PARAMETER_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * One build, validate or test step of an AMI: a component document that the pipeline
 * owns (inline YAML or a file, validated at synth and versioned by its content), or a
 * component AWS (or another account) publishes, by ARN.
 *
 * Owned components become `aws_imagebuilder_component` resources named
 * `<pipeline>-<component>`, with the version `1.0.<n>` derived from their content, so
 * a content change is a new version (never ResourceAlreadyExists) and unchanged content
 * produces no diff.
 */
export class ImageComponent {
  /**
   * A component document given as YAML text.
   * @param name the component's name within the pipeline (letters, digits, `_`, `-`)
   * @param document an AWSTOE document: `schemaVersion: 1.0` and `phases` (build,
   *   validate, test) with steps
   */
  public static fromInline(name: string, document: string, options: OwnedImageComponentOptions = {}): ImageComponent {
    const where = `ImageComponent.fromInline (component "${name}")`;
    checkName(name, 'ImageComponent.fromInline: name');
    if (Token.isUnresolved(document)) {
      throw new Error(`${where}: document is a token; the document must be known at synth so that its version can be derived from its content.`);
    }
    validateComponentDocument(document, where);
    checkParameters(options.parameters, where);
    return new ImageComponent(name, document, undefined, options.parameters ?? {}, options.description);
  }

  /**
   * A component document read from a YAML file at synth.
   * @param path the file (relative paths are resolved from the current directory)
   */
  public static fromFile(path: string, options: ImageComponentFileOptions = {}): ImageComponent {
    if (!existsSync(path)) {
      throw new Error(`ImageComponent.fromFile: path ("${path}") does not exist; give the path of a component document (YAML), e.g. path.join(__dirname, "components/install.yml").`);
    }
    if (!statSync(path).isFile()) {
      throw new Error(`ImageComponent.fromFile: path ("${path}") is a folder; give the path of a component document file.`);
    }
    const name = options.name ?? basename(path, extname(path));
    checkName(name, options.name === undefined ? `ImageComponent.fromFile: the file name of ${path}` : 'ImageComponent.fromFile: name');
    const where = `ImageComponent.fromFile (${path})`;
    const document = readFileSync(path, 'utf8');
    validateComponentDocument(document, where);
    checkParameters(options.parameters, where);
    return new ImageComponent(name, document, undefined, options.parameters ?? {}, options.description);
  }

  /**
   * A component published by AWS (or shared with you), e.g.
   * `arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x`. A wildcard
   * version (`x.x.x`) follows new releases on scheduled rebuilds that wait for updated
   * dependencies; a pinned version never changes.
   */
  public static fromManagedArn(arn: string, options: ImageComponentOptions = {}): ImageComponent {
    if (!Token.isUnresolved(arn) && !MANAGED_ARN.test(arn)) {
      throw new Error(`ImageComponent.fromManagedArn: arn ("${arn}") is not an Image Builder component ARN; expected arn:aws:imagebuilder:<region>:aws:component/<name>/<version>, e.g. arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x.`);
    }
    const where = `ImageComponent.fromManagedArn (${arn})`;
    checkParameters(options.parameters, where);
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
}

function checkName(name: string, what: string): void {
  if (Token.isUnresolved(name) || !COMPONENT_NAME.test(name)) {
    throw new Error(`${what} ("${name}") must be 1 to 60 letters, digits, "_" or "-", starting with a letter or digit; it names the component resource.`);
  }
}

function checkParameters(parameters: { readonly [name: string]: string } | undefined, where: string): void {
  for (const name of Object.keys(parameters ?? {})) {
    if (!PARAMETER_NAME.test(name)) {
      throw new Error(`${where}: parameters key ("${name}") must be letters, digits, "_" or "-" as declared in the component document.`);
    }
  }
}
