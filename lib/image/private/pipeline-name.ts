import { createHash } from 'crypto';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

export { PIPELINE_NAME, PIPELINE_NAME_RULE } from '../../private/image-names';

/** `<stack>-<path below the stack>`, within `PIPELINE_NAME`. */
export function defaultPipelineName(construct: Construct): string {
  const stack = TerraformStack.of(construct);
  const below = construct.node.scopes.slice(construct.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
  const raw = [stack.node.id, ...below].join('-');
  let name = raw
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|-+$/g, '');
  if (name.length > 64) {
    name = `${name.slice(0, 59).replace(/-+$/, '')}-${createHash('sha256').update(raw).digest('hex').slice(0, 4)}`;
  }
  return name.length >= 3 ? name : `${name}-ami`.replace(/^-/, '');
}
