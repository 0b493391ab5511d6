import { installCheapCaptureTraces } from './support/stack-traces';

// Adds toHaveResource / toHaveResourceWithProperties / toBeValidTerraform matchers, from
// cdktf's jest adapter alone: `Testing.setupJest()` would load the whole cdktf package into
// every test file, including the many that never use it (about 0.1 s each).
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('cdktf/lib/testing/adapters/jest') as { setupJest: () => void }).setupJest();

// cdktf captures a full stack trace for every token it creates; formatting those through
// jest's source-map-support was a third of the CPU time of a synthesizing test.
installCheapCaptureTraces();

// Hermetic AWS for the unit tests: `release stage` and `release promote --steps` check the
// AMI and the alarms with AWS whenever credentials are configured (bin/cli/aws-sdk-config.ts),
// so a developer's or a CI runner's credentials would send the in-process commands to AWS.
// Tests that exercise the checks pass credentials and a fake endpoint explicitly.
for (const name of [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
]) {
  delete process.env[name];
}
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/cdktf-immutable-tests/credentials';
process.env.AWS_CONFIG_FILE = '/nonexistent/cdktf-immutable-tests/config';
