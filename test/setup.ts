import { installCheapCaptureTraces } from './support/stack-traces';

// Adds toHaveResource / toHaveResourceWithProperties / toBeValidTerraform matchers, from
// cdktf's jest adapter alone: `Testing.setupJest()` would load the whole cdktf package into
// every test file, including the many that never use it (about 0.1 s each).
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('cdktf/lib/testing/adapters/jest') as { setupJest: () => void }).setupJest();

// cdktf captures a full stack trace for every token it creates; formatting those through
// jest's source-map-support was a third of the CPU time of a synthesizing test.
installCheapCaptureTraces();
