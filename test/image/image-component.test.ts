import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformVariable, Testing } from 'cdktf';
import { ImagebuilderComponent } from '@cdktf/provider-aws/lib/imagebuilder-component';
import { ImageComponent, ImageComponentConfig } from '../../lib';
import { ValidationError } from '../../lib/private/validation';
import { HELLO, SMOKE } from './fixtures';
import { newStack } from '../support/synth';

const dir = mkdtempSync(join(tmpdir(), 'cdktf-immutable-components-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const inline = (document: string) => () => ImageComponent.fromInline('web', document);

describe('ImageComponent', () => {
  test('fromInline keeps the document, the parameters and the description', () => {
    const component = ImageComponent.fromInline('web', HELLO, { parameters: { Version: '1.2' }, description: 'nginx' });
    expect(component).toMatchObject({
      name: 'web',
      document: HELLO,
      managedArn: undefined,
      parameters: { Version: '1.2' },
      description: 'nginx',
    });
  });

  test('fromFile reads the document and names the component after the file', () => {
    const component = ImageComponent.fromFile(file('install-nginx.yml', HELLO));
    expect(component.name).toBe('install-nginx');
    expect(component.document).toBe(HELLO);
    expect(ImageComponent.fromFile(file('other.yaml', HELLO), { name: 'nginx' }).name).toBe('nginx');
  });

  test('fromManagedArn accepts pinned and wildcard versions', () => {
    expect(ImageComponent.fromManagedArn('arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x').name).toBe(
      'update-linux',
    );
    expect(
      ImageComponent.fromManagedArn(
        'arn:aws:imagebuilder:eu-west-1:aws:component/amazon-cloudwatch-agent-linux/1.0.1/1',
      ).managedArn,
    ).toBe('arn:aws:imagebuilder:eu-west-1:aws:component/amazon-cloudwatch-agent-linux/1.0.1/1');
    expect(
      ImageComponent.fromManagedArn('arn:aws:imagebuilder:eu-west-1:123456789012:component/shared/2.x.x').name,
    ).toBe('shared');
  });

  test('fromManagedArn accepts a token without validating it', () => {
    const stack = newStack('s');
    const arn = new TerraformVariable(stack, 'arn', { type: 'string' }).stringValue;
    expect(ImageComponent.fromManagedArn(arn).managedArn).toBe(arn);
  });

  describe('validation', () => {
    test('missing file', () => {
      expect(() => ImageComponent.fromFile('/nonexistent/install.yml')).toThrow(
        'ImageComponent.fromFile: path ("/nonexistent/install.yml") does not exist',
      );
    });

    test('a folder instead of a file', () => {
      expect(() => ImageComponent.fromFile(dir)).toThrow(/ImageComponent.fromFile: path \(".*"\) is a folder/);
    });

    test('invalid YAML in a file names the file', () => {
      const path = file('broken.yml', 'schemaVersion: 1.0\nphases: [\n');
      expect(() => ImageComponent.fromFile(path)).toThrow(
        `ImageComponent.fromFile: path ("${path}"): the document is not valid YAML`,
      );
    });

    test('invalid YAML inline', () => {
      expect(inline('schemaVersion: 1.0\nphases:\n  - name: build\n   steps: []\n')).toThrow(
        'ImageComponent.fromInline: document of component "web": the document is not valid YAML',
      );
    });

    test('duplicate keys', () => {
      expect(inline('schemaVersion: 1.0\nschemaVersion: 1.0\nphases: []\n')).toThrow(
        /not valid YAML: Map keys must be unique/,
      );
    });

    test('several YAML documents', () => {
      expect(inline(`${HELLO}---\n${HELLO}`)).toThrow(/not valid YAML: Source contains multiple documents/);
    });

    test('empty document', () => {
      expect(inline('  \n')).toThrow(
        'the document is empty; write a component document with schemaVersion: 1.0 and phases',
      );
    });

    test('a document that is not a mapping', () => {
      expect(inline('- a\n- b\n')).toThrow(
        'the document must be a YAML mapping with schemaVersion and phases, not a list',
      );
    });

    test('missing schemaVersion', () => {
      expect(inline(HELLO.replace('schemaVersion: 1.0\n', ''))).toThrow(
        'the document has no schemaVersion; add "schemaVersion: 1.0" at the top',
      );
    });

    test('wrong schemaVersion', () => {
      expect(inline(HELLO.replace('schemaVersion: 1.0', 'schemaVersion: 2.0'))).toThrow(
        'schemaVersion (2) must be 1.0',
      );
    });

    test('missing phases', () => {
      expect(inline('schemaVersion: 1.0\n')).toThrow('the document has no phases; add a phases list');
    });

    test('empty phases', () => {
      expect(inline('schemaVersion: 1.0\nphases: []\n')).toThrow(
        'phases must be a non-empty list of phases (build, validate, test), not a list',
      );
    });

    test('unknown phase name', () => {
      expect(inline(HELLO.replace('- name: validate', '- name: deploy'))).toThrow(
        'phases[1].name ("deploy") must be build, validate or test',
      );
    });

    test('phase given twice', () => {
      expect(inline(HELLO.replace('- name: validate', '- name: build'))).toThrow(
        'phases[1].name ("build") appears twice',
      );
    });

    test('phase without steps', () => {
      expect(inline('schemaVersion: 1.0\nphases:\n  - name: build\n')).toThrow(
        'phases[0].steps (phase build) must be a non-empty list of steps, not empty',
      );
    });

    test('step without action', () => {
      expect(inline(HELLO.replace('action: ExecuteBash', 'onFailure: Abort'))).toThrow(
        'phases[0].steps[0].action (undefined) must name an AWSTOE action',
      );
    });

    test('step with a bad name', () => {
      expect(inline(HELLO.replace('- name: Install', '- name: "install nginx"'))).toThrow(
        'phases[0].steps[0].name ("install nginx") must be a word of letters, digits, "_" and "-"',
      );
    });

    test('duplicate step names in a phase', () => {
      const doc =
        'schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n        action: Reboot\n      - name: A\n        action: Reboot\n';
      expect(inline(doc)).toThrow('phases[0].steps[1].name ("A") is used twice in phase build');
    });

    test('document over the 16,000-character inline limit', () => {
      expect(inline(`${HELLO}# ${'x'.repeat(16000)}\n`)).toThrow(
        /more than Image Builder's 16000 for an inline component; split it/,
      );
    });

    test('a token document', () => {
      const stack = newStack('s');
      const doc = new TerraformVariable(stack, 'doc', { type: 'string' }).stringValue;
      expect(() => ImageComponent.fromInline('web', doc)).toThrow(
        'ImageComponent.fromInline: document of component "web" is a token; the document must be known at synth',
      );
    });

    test('bad component name', () => {
      expect(() => ImageComponent.fromInline('web server', HELLO)).toThrow(
        'ImageComponent.fromInline: name ("web server") must be 1 to 60 letters, digits, "_" or "-"',
      );
      expect(() => ImageComponent.fromFile(file('bad name.yml', HELLO))).toThrow(
        /the file name of .*bad name.yml \("bad name"\) must be/,
      );
    });

    test('malformed managed ARN', () => {
      expect(() => ImageComponent.fromManagedArn('update-linux')).toThrow(
        'ImageComponent.fromManagedArn: arn ("update-linux") must be an Image Builder component ARN',
      );
      expect(() =>
        ImageComponent.fromManagedArn('arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x'),
      ).toThrow(/must be an Image Builder component ARN/);
    });

    test('bad parameter name', () => {
      expect(() => ImageComponent.fromInline('web', HELLO, { parameters: { 'bad name': 'x' } })).toThrow(
        'parameters key ("bad name") must be letters, digits, "_" or "-"',
      );
    });
  });

  test('errors are ValidationErrors', () => {
    expect(inline('')).toThrow(ValidationError);
    expect(() => ImageComponent.fromManagedArn('x')).toThrow(ValidationError);
  });
});

describe('ImageComponent.bind: the component resource', () => {
  test('defaults: an owned component becomes a Linux component named <pipeline>-<name>, versioned by its content', () => {
    // GIVEN an owned component
    const component = ImageComponent.fromInline('nginx', HELLO);
    let config: ImageComponentConfig | undefined;
    // WHEN it is bound with only the pipeline name
    const synth = Testing.synthScope((scope) => {
      config = component.bind(scope, { pipelineName: 'web' });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderComponent, {
      name: 'web-nginx',
      platform: 'Linux',
      data: HELLO,
      version: config!.version,
      lifecycle: { create_before_destroy: true },
    });
    expect(config).toEqual({
      componentArn: expect.stringMatching(/^\$\{TfToken/),
      parameters: [],
      name: 'web-nginx',
      version: expect.stringMatching(/^1\.0\.\d+$/),
    });
    expect(Object.keys(JSON.parse(synth).resource.aws_imagebuilder_component)).toEqual(['Component-nginx']);
  });

  test('all properties: platform, KMS key, description, tags and sorted parameters', () => {
    // GIVEN an owned component with parameters and a description
    const component = ImageComponent.fromInline('iis', SMOKE, {
      parameters: { Site: 'api', Port: '443' },
      description: 'IIS',
    });
    let config: ImageComponentConfig | undefined;
    // WHEN it is bound with every option
    const synth = Testing.synthScope((scope) => {
      config = component.bind(scope, {
        pipelineName: 'api',
        platform: 'Windows',
        kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abcd',
        tags: { Owner: 'platform' },
      });
    });
    // THEN
    expect(synth).toHaveResourceWithProperties(ImagebuilderComponent, {
      name: 'api-iis',
      platform: 'Windows',
      description: 'IIS',
      kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/abcd',
      tags: { Owner: 'platform' },
    });
    expect(config!.parameters).toEqual([
      { name: 'Port', value: '443' },
      { name: 'Site', value: 'api' },
    ]);
  });

  test('a managed component creates nothing and is identified by its ARN', () => {
    const arn = 'arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x';
    let config: ImageComponentConfig | undefined;
    const synth = Testing.synthScope((scope) => {
      config = ImageComponent.fromManagedArn(arn, { parameters: { a: 'b' } }).bind(scope, { pipelineName: 'web' });
    });
    expect(JSON.parse(synth).resource ?? {}).not.toHaveProperty('aws_imagebuilder_component');
    expect(config).toEqual({ componentArn: arn, parameters: [{ name: 'a', value: 'b' }] });
  });

  test('the version follows the content: document, description, platform and key, not tags', () => {
    const version = (
      options: {
        description?: string;
        platform?: 'Linux' | 'Windows';
        kmsKeyId?: string;
        tags?: Record<string, string>;
      } = {},
      document = HELLO,
    ) =>
      ImageComponent.fromInline('nginx', document, { description: options.description }).bind(newStack('s'), {
        pipelineName: 'web',
        ...options,
      }).version;
    const base = version();
    expect(version({ tags: { Owner: 'x' } })).toBe(base);
    expect(version({}, SMOKE)).not.toBe(base);
    expect(version({ description: 'x' })).not.toBe(base);
    expect(version({ platform: 'Windows' })).not.toBe(base);
    expect(version({ kmsKeyId: 'alias/x' })).not.toBe(base);
  });
});
