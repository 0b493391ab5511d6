import { SSM_PARAMETER_NAME } from '../../private/aws-ids';
import { isLiteral, show, Validator } from '../../private/validation';

/**
 * Checks an SSM parameter name where it enters a factory (`ParentImage` or
 * `ImageSource`): the shared pattern and SSM's 2048-character limit. Tokens pass.
 */
export function validateSsmParameterName(check: Validator, parameterName: string, example: string): void {
  check.pattern(
    'parameterName',
    parameterName,
    SSM_PARAMETER_NAME,
    `an SSM parameter name, a path such as ${example} (letters, digits, "_", "." and "-" between "/")`,
  );
  if (isLiteral(parameterName) && parameterName.length > 2048) {
    check.fail(
      `parameterName (${show(parameterName.slice(0, 40))}...) has ${parameterName.length} characters; an SSM ` +
        `parameter name has at most 2048.`,
    );
  }
}

/**
 * Checks the name of an SSM parameter the library writes (`amiParameterName`): a path
 * that Image Builder and Parameter Store accept. Tokens pass.
 */
export function validateAmiParameterPath(check: Validator, prop: string, parameter: string | undefined): void {
  if (
    isLiteral(parameter) &&
    (!SSM_PARAMETER_NAME.test(parameter) ||
      !parameter.startsWith('/') ||
      parameter.split('/').length > 16 ||
      parameter.length > 1011 ||
      /^\/(aws|ssm)/i.test(parameter))
  ) {
    check.fail(
      `${prop} (${show(parameter)}) must be an SSM parameter path such as /images/web/ami-id: "/"-separated ` +
        `segments of letters, digits, "_", "." and "-", at most 15 levels and 1011 characters, not starting with ` +
        `/aws or /ssm.`,
    );
  }
}
