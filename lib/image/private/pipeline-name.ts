import { createHash } from 'crypto';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** An AMI pipeline's name: short enough for `<name>-<component>` and the IAM name prefixes. */
export const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** What {@link PIPELINE_NAME} accepts, for error messages. */
export const PIPELINE_NAME_RULE = '3 to 64 letters, digits, "_" or "-", starting with a letter or digit';

/** `<stack>-<path below the stack>`, within {@link PIPELINE_NAME}. */
export function defaultPipelineName(construct: Construct): string {
  const stack = TerraformStack.of(construct);
  const below = construct.node.scopes.slice(construct.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
  const raw = [stack.node.id, ...below].join('-');
  let name = raw.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-_]+|-+$/g, '');
  if (name.length > 64) {
    name = `${name.slice(0, 59).replace(/-+$/, '')}-${createHash('sha256').update(raw).digest('hex').slice(0, 4)}`;
  }
  return name.length >= 3 ? name : `${name}-ami`.replace(/^-/, '');
}
