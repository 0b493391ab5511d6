import { Construct, IConstruct } from 'constructs';

/**
 * The child `id` of the root of `scope`'s construct tree (the `App`), created by
 * `create` on first use: state that belongs to one app, kept on the app itself (as
 * constructs keeps per-tree state on the node), so that it lives exactly as long as the
 * app and two apps in one process never share it. The child holds no Terraform element
 * and sits beside the stacks, so it changes no synthesized output.
 */
export function rootChild<T extends IConstruct>(scope: IConstruct, id: string, create: (root: Construct) => T): T {
  const root = scope.node.root;
  return (root.node.tryFindChild(id) as T | undefined) ?? create(root as Construct);
}

/** The child `id` of the root of `scope`'s tree, when {@link rootChild} created it (reading never creates it). */
export function existingRootChild<T extends IConstruct>(scope: IConstruct, id: string): T | undefined {
  return scope.node.root.node.tryFindChild(id) as T | undefined;
}
