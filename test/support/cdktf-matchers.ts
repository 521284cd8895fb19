import { Testing } from 'cdktf';

// toHaveResourceWithProperties and friends, for tests of the synthesized JSON.
Testing.setupJest();
