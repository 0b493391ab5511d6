import { Testing } from 'cdktf';

// Adds toHaveResource / toHaveResourceWithProperties / toBeValidTerraform matchers.
Testing.setupJest();
