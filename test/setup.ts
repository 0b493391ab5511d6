import { Testing } from 'cdktf';
import { installCheapCaptureTraces } from './support/stack-traces';

// Adds toHaveResource / toHaveResourceWithProperties / toBeValidTerraform matchers.
Testing.setupJest();

// cdktf captures a full stack trace for every token it creates; formatting those through
// jest's source-map-support was a third of the CPU time of a synthesizing test.
installCheapCaptureTraces();
