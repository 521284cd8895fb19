import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The provider classes (and zip library) in modules/private/on-demand.ts are
 * loaded only by the stacks that use them: each module is recorded when
 * first required, in a module registry of the test's own.
 */
const ON_DEMAND = [
  '@cdktf/provider-aws/lib/kms-key',
  '@cdktf/provider-aws/lib/kms-key-policy',
  '@cdktf/provider-aws/lib/secretsmanager-secret',
  '@cdktf/provider-aws/lib/secretsmanager-secret-policy',
  '@cdktf/provider-aws/lib/secretsmanager-secret-rotation',
  '@cdktf/provider-aws/lib/secretsmanager-secret-version',
  '@cdktf/provider-aws/lib/serverlessapplicationrepository-cloudformation-stack',
  '@cdktf/provider-aws/lib/vpc-endpoint',
  'fflate',
];

type Library = typeof import('../../modules');
type Cdktf = typeof import('cdktf');

/** Runs `use` on a fresh copy of the library and cdktf, and returns the on-demand modules it loaded. */
function loadedBy(use: (library: Library, cdktf: Cdktf, stack: InstanceType<Cdktf['TerraformStack']>) => void): string[] {
  const loaded: string[] = [];
  const outdir = mkdtempSync(join(tmpdir(), 'on-demand-'));
  try {
    jest.isolateModules(() => {
      for (const name of ON_DEMAND) {
        jest.doMock(name, () => {
          loaded.push(name);
          return jest.requireActual(name);
        });
      }
      const cdktf = require('cdktf') as Cdktf;
      const { AwsProvider } = require('@cdktf/provider-aws/lib/provider') as typeof import('@cdktf/provider-aws/lib/provider');
      const library = require('../../modules') as Library;
      const app = new cdktf.App({ outdir });
      const stack = new cdktf.TerraformStack(app, 'test');
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      use(library, cdktf, stack);
      app.synth();
    });
  } finally {
    for (const name of ON_DEMAND) jest.dontMock(name);
    rmSync(outdir, { recursive: true, force: true });
  }
  return loaded.sort();
}

describe('provider classes loaded on demand', () => {
  it('are not loaded by a stack of deferred secrets rotated by a built-in function, synth included', () => {
    const loaded = loadedBy(({ RotatedSecret, RotationFunction }, _cdktf, stack) => {
      const fn = RotationFunction.postgresSingleUser(stack, 'Rotation');
      for (const id of ['A', 'B']) new RotatedSecret(stack, id, { rotation: { function: fn } });
    });
    expect(loaded).toEqual([]);
  });

  it('are loaded, each where it is used, by a secret built as constructs, hosted rotation and a VPC endpoint', () => {
    const loaded = loadedBy(({ HostedRotation, RotatedSecret, RotationFunction }, { Fn, TerraformVariable }, stack) => {
      const fn = RotationFunction.postgresSingleUser(stack, 'Rotation', {
        vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'], secretsManagerEndpoint: { vpcId: 'vpc-1' } },
      });
      const password = new TerraformVariable(stack, 'password', { type: 'string', sensitive: true });
      // Asking for a resource builds the secret's constructs; an initial value adds a version.
      void new RotatedSecret(stack, 'Built', { rotation: { function: fn }, initialValue: Fn.jsonencode({ password: password.stringValue }) }).resource;
      new RotatedSecret(stack, 'Hosted', { rotation: { hosted: HostedRotation.postgreSqlSingleUser() } });
    });
    expect(loaded).toEqual(ON_DEMAND.filter((name) => name !== 'fflate').sort());
  });
});
