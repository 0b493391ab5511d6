import { TerraformResource } from 'cdktf';
import { ValidationError } from './validation';

const CHECK_ID = /^CKV2?_[A-Z0-9]+_\d+$/;

/**
 * Records, next to the resource, that a checkov check does not apply and why. It is
 * written into the resource's `//` block of the synthesized JSON as
 * `"checkov:skip=<ID>": "<reason>"`; `npm run scan` counts a failed check on that
 * resource as suppressed only when such a key with a non-empty reason is there.
 * (checkov's own terraform_json runner has no inline suppressions.)
 */
export function suppressCheckov(resource: TerraformResource, checkId: string, reason: string): void {
  if (!CHECK_ID.test(checkId)) {
    throw new ValidationError(
      `checkId ("${checkId}") is not a checkov check id such as CKV_AWS_91.`,
      'suppressCheckov',
    );
  }
  if (reason.trim().length < 10) {
    throw new ValidationError(
      `suppressCheckov reason for ${checkId} (${JSON.stringify(reason)}) must say why the check does not apply, ` +
        'in at least 10 characters.',
      resource,
    );
  }
  resource.addOverride(`//.checkov:skip=${checkId}`, reason);
}
