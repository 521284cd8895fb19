import { Testing } from 'cdktf';
// The matchers' type declarations (a global augmentation of jest.Matchers).
import type {} from 'cdktf/lib/testing/adapters/jest';

// toHaveResourceWithProperties and friends, for tests of the synthesized JSON.
Testing.setupJest();
