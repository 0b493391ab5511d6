/**
 * Saves the real-plan fixtures of the preview tests, test/fixtures/plans/preview/<case>/:
 * `before.tf.json` and `after.tf.json`, the Terraform JSON of one stack before and after a
 * change (synthesized with cdktf and the library's constructs, or written as plain
 * Terraform JSON), and `plan.json`, the plan of that change: `before.tf.json` applied with
 * the e2e toolchain's OpenTofu and AWS provider against a moto server, then
 * `after.tf.json` planned (`tofu plan -out`, `tofu show -json`). test/review/
 * preview-real-plans.test.ts checks the preview of each pair against its plan.
 *
 *   eval "$(bash scripts/e2e-toolchain.sh)"
 *   node --require ./packages/cli/register test/review/save-preview-plans.ts [<case>...]
 *
 * Each run gives the resources new moto ids (and a new timestamp): re-save a case only
 * when it changes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IImageSource, ImageSource, ImmutableLaunchTemplate } from '../../lib';
import { startMoto } from '../e2e/harness/moto';
import { apply, init, savedPlan } from '../e2e/harness/tofu';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'plans', 'preview');

/** Two AMI ids moto serves in eu-west-1 (moto 5.2.5), and one of eu-central-1. */
const AMI_A = 'ami-000316f560b19b389';
const AMI_B = 'ami-000431d0c0ad4080a';
const AMI_CENTRAL = 'ami-000662bbf33dad88b';

type Json = Record<string, unknown>;

interface Case {
  /** What the change is, for the README. */
  readonly what: string;
  readonly before: () => Json;
  readonly after: () => Json;
  /** SSM parameters to write into moto first: name, region, value. */
  readonly parameters?: ReadonlyArray<readonly [string, string, string]>;
}

/**
 * A stack of two launch templates (slots blue and green) built by the library, named by
 * generation, whose image comes from `image(stack)`.
 */
function slots(
  id: string,
  image: (stack: TerraformStack) => (slot: string) => IImageSource,
  region = 'eu-west-1',
): Json {
  const stack = new TerraformStack(Testing.app(), id);
  new AwsProvider(stack, 'aws', { region });
  const imageOf = image(stack);
  for (const slot of ['blue', 'green']) {
    const template = new ImmutableLaunchTemplate(stack, `${slot === 'blue' ? 'Blue' : 'Green'}Template`, {
      name: id,
      slot,
      image: imageOf(slot),
    });
    new TerraformOutput(stack, `${slot}_template_name`, { value: template.resource.name });
  }
  return JSON.parse(Testing.synth(stack)) as Json;
}

const CASES: Record<string, Case> = {
  local: {
    what: 'the AMI of both slots comes from a local (`TerraformLocal`), whose value changes',
    before: () => slots('preview-local', (stack) => withLocal(stack, AMI_A)),
    after: () => slots('preview-local', (stack) => withLocal(stack, AMI_B)),
  },
  'variable-default': {
    what: 'the AMI of both slots comes from a variable (`TerraformVariable`), whose default changes',
    before: () => slots('preview-variable', (stack) => withVariable(stack, AMI_A)),
    after: () => slots('preview-variable', (stack) => withVariable(stack, AMI_B)),
  },
  'data-source-argument': {
    what: 'the AMI of both slots comes from an SSM parameter (`ImageSource.fromSsmParameter`), whose name changes',
    before: () => slots('preview-data', () => () => ImageSource.fromSsmParameter('/preview/data/ami-a')),
    after: () => slots('preview-data', () => () => ImageSource.fromSsmParameter('/preview/data/ami-b')),
    parameters: [
      ['/preview/data/ami-a', 'eu-west-1', AMI_A],
      ['/preview/data/ami-b', 'eu-west-1', AMI_B],
    ],
  },
  'provider-region': {
    what:
      "the AMI of both slots comes from an SSM parameter that each region holds, and the provider's region changes " +
      '(eu-west-1 to eu-central-1)',
    before: () => slots('preview-region', () => () => ImageSource.fromSsmParameter('/preview/region/ami')),
    after: () =>
      slots('preview-region', () => () => ImageSource.fromSsmParameter('/preview/region/ami'), 'eu-central-1'),
    parameters: [
      ['/preview/region/ami', 'eu-west-1', AMI_A],
      ['/preview/region/ami', 'eu-central-1', AMI_CENTRAL],
    ],
  },
  dependency: {
    what:
      'plain Terraform JSON: a launch template whose name a dependency computes (test/review/preview-base.test.ts ' +
      'synthesizes it with version 1 and 2 of a local package)',
    before: () => dependencyStack('web-1111111111'),
    after: () => dependencyStack('web-2222222222'),
  },
  'ignore-changes': {
    what:
      "plain Terraform JSON: an SSM parameter's value and a pinned launch template's image_id change, both under " +
      'lifecycle.ignore_changes (the launch template carries the pinning mark in its `//` metadata)',
    before: () => ignoredStack(AMI_A),
    after: () => ignoredStack(AMI_B),
  },
  'default-tags': {
    what: "plain Terraform JSON: the provider's default_tags change, for a launch template and an SSM parameter",
    before: () => tagsStack('a'),
    after: () => tagsStack('b'),
  },
};

function withLocal(stack: TerraformStack, ami: string): () => IImageSource {
  const local = new TerraformLocal(stack, 'ami', ami);
  return () => ImageSource.fromAmiId(local.asString);
}

function withVariable(stack: TerraformStack, ami: string): () => IImageSource {
  const variable = new TerraformVariable(stack, 'ami', { type: 'string', default: ami });
  return () => ImageSource.fromAmiId(variable.stringValue);
}

const TERRAFORM = { required_providers: { aws: { source: 'aws', version: '6.25.0' } } };

/** The stack of the dependency case: a launch template whose name the dependency computed. */
function dependencyStack(name: string): Json {
  return {
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: {
      aws_launch_template: {
        web: { name, image_id: AMI_A, instance_type: 't3.micro', lifecycle: { create_before_destroy: true } },
      },
    },
    terraform: TERRAFORM,
  };
}

function ignoredStack(ami: string): Json {
  return {
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: {
      aws_ssm_parameter: {
        ami: { name: '/preview/ignored/ami', type: 'String', value: ami, lifecycle: { ignore_changes: ['value'] } },
      },
      aws_launch_template: {
        blue: {
          '//': {
            'cdktf-immutable': {
              pinned: {
                fleet: 'preview-ignored',
                slot: 'blue',
                environment: 'prod',
                reason: 'blue serves prod; its definition changes with cdktf-immutable release stage prod --same-image',
              },
            },
          },
          name: 'preview-ignored-blue',
          image_id: ami,
          instance_type: 't3.micro',
          lifecycle: { create_before_destroy: true, ignore_changes: ['image_id'] },
        },
      },
    },
    terraform: TERRAFORM,
  };
}

function tagsStack(team: string): Json {
  return {
    provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { Team: team } }] }] },
    resource: {
      aws_launch_template: {
        web: { name: 'preview-tags', image_id: AMI_A, instance_type: 't3.micro', tags: { Name: 'web' } },
      },
      aws_ssm_parameter: { ami: { name: '/preview/tags/ami', type: 'String', value: AMI_A } },
    },
    terraform: TERRAFORM,
  };
}

/** Writes an SSM parameter into moto in `region` (moto takes the region from the credential scope). */
async function putParameter(endpoint: string, name: string, region: string, value: string): Promise<void> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.PutParameter',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Name: name, Value: value, Type: 'String', Overwrite: true }),
  });
  if (!response.ok) {
    throw new Error(`PutParameter ${name} in ${region}: HTTP ${response.status}: ${await response.text()}`);
  }
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

async function save(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !CASES[name]);
  if (unknown.length > 0) {
    throw new Error(`unknown case(s) ${unknown.join(', ')}; the cases are ${Object.keys(CASES).join(', ')}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'preview-plans-'));
  process.env.TF_PLUGIN_CACHE_DIR ??= join(work, 'plugins');
  mkdirSync(process.env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  const moto = await startMoto(work);
  try {
    for (const name of names.length > 0 ? names : Object.keys(CASES)) {
      const spec = CASES[name];
      for (const [parameter, region, value] of spec.parameters ?? []) {
        await putParameter(moto.endpoint, parameter, region, value);
      }
      const dir = join(work, name);
      mkdirSync(dir);
      const before = spec.before();
      const after = spec.after();
      writeJson(join(dir, 'cdk.tf.json'), before);
      await init(dir, moto.env);
      await apply(dir, moto.env);
      writeJson(join(dir, 'cdk.tf.json'), after);
      const plan = await savedPlan(dir, 'plan', moto.env);
      const out = join(FIXTURES, name);
      mkdirSync(out, { recursive: true });
      writeJson(join(out, 'before.tf.json'), before);
      writeJson(join(out, 'after.tf.json'), after);
      writeJson(join(out, 'plan.json'), plan.json);
      const actions = (plan.json.resource_changes ?? []).map((rc) => `${rc.change.actions.join(',')} ${rc.address}`);
      console.log(`${name}: ${spec.what}\n  ${actions.join('\n  ')}`);
    }
  } finally {
    await moto.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  save().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
