/* eslint-disable @typescript-eslint/no-require-imports -- each module below is loaded on first use, by design */
import type * as fflate from 'fflate';
import type * as kmsKey from '@cdktf/provider-aws/lib/kms-key';
import type * as kmsKeyPolicy from '@cdktf/provider-aws/lib/kms-key-policy';
import type * as secret from '@cdktf/provider-aws/lib/secretsmanager-secret';
import type * as secretPolicy from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import type * as secretRotation from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import type * as secretVersion from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import type * as sarStack from '@cdktf/provider-aws/lib/serverlessapplicationrepository-cloudformation-stack';
import type * as vpcEndpoint from '@cdktf/provider-aws/lib/vpc-endpoint';

/**
 * The provider's classes, and the zip library, that only some stacks use,
 * loaded when first used rather than with the library: `new onDemand.KmsKey(...)`.
 * A stack of `RotatedSecret`s written by their stack's DeferredBlocks
 * element and rotated by this library's functions (with its zips prebuilt)
 * uses none of them; secrets built as constructs, `RotationSchedule`, hosted
 * rotation, `ManagedMasterPassword`, VPC endpoints, and zipping a handler (a
 * function with your own `entry`, or a built-in one without its prebuilt
 * zip) do. test/modules/on-demand.test.ts checks both. Loading them
 * all took 15 to 19 ms on 2026-12-06: each of the provider's modules is 20
 * to 140 KB of generated code. Each is still loaded by its deep path.
 */
export const onDemand = {
  get KmsKey(): typeof kmsKey.KmsKey {
    return (require('@cdktf/provider-aws/lib/kms-key') as typeof kmsKey).KmsKey;
  },
  get KmsKeyPolicy(): typeof kmsKeyPolicy.KmsKeyPolicy {
    return (require('@cdktf/provider-aws/lib/kms-key-policy') as typeof kmsKeyPolicy).KmsKeyPolicy;
  },
  get SecretsmanagerSecret(): typeof secret.SecretsmanagerSecret {
    return (require('@cdktf/provider-aws/lib/secretsmanager-secret') as typeof secret).SecretsmanagerSecret;
  },
  get SecretsmanagerSecretPolicy(): typeof secretPolicy.SecretsmanagerSecretPolicy {
    return (require('@cdktf/provider-aws/lib/secretsmanager-secret-policy') as typeof secretPolicy).SecretsmanagerSecretPolicy;
  },
  get SecretsmanagerSecretRotation(): typeof secretRotation.SecretsmanagerSecretRotation {
    return (require('@cdktf/provider-aws/lib/secretsmanager-secret-rotation') as typeof secretRotation).SecretsmanagerSecretRotation;
  },
  get SecretsmanagerSecretVersion(): typeof secretVersion.SecretsmanagerSecretVersion {
    return (require('@cdktf/provider-aws/lib/secretsmanager-secret-version') as typeof secretVersion).SecretsmanagerSecretVersion;
  },
  get ServerlessapplicationrepositoryCloudformationStack(): typeof sarStack.ServerlessapplicationrepositoryCloudformationStack {
    return (require('@cdktf/provider-aws/lib/serverlessapplicationrepository-cloudformation-stack') as typeof sarStack)
      .ServerlessapplicationrepositoryCloudformationStack;
  },
  get VpcEndpoint(): typeof vpcEndpoint.VpcEndpoint {
    return (require('@cdktf/provider-aws/lib/vpc-endpoint') as typeof vpcEndpoint).VpcEndpoint;
  },
  get zipSync(): typeof fflate.zipSync {
    return (require('fflate') as typeof fflate).zipSync;
  },
};
