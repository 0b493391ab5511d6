/**
 * A bad rollout input: a step list, a bake time, an alarm or fleet name, or a rollout
 * or policy in a release file. The message names the value and the fix.
 */
export class RolloutInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutInputError';
  }
}
