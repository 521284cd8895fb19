import { PlanChange, PlanJson } from '../../cli/plan/plan-json';
import { plan, planJson } from './plan-run';
import { synthFixture, SynthFixtureOptions } from '../support/cli-fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

/** The changes from the pristine stacks (base) to the stacks rewritten by `mutate` (head). */
async function changesFrom(options: SynthFixtureOptions, baseOptions: SynthFixtureOptions = { stacks: options.stacks }): Promise<PlanChange[]> {
  const result = await planJson('--dir', synthFixture(options), '--base', synthFixture(baseOptions));
  expect(result.summary.changes).toBe(result.changes?.length);
  return [...(result.changes ?? [])];
}

const POSTGRES = { stacks: ['postgres-rotation'] };
const resourceOf = (json: Json, type: string): Json => Object.values(json.resource[type] as Json)[0] as Json;
const rolePolicy = (json: Json): Json => json.data.aws_iam_policy_document.PostgresRotation_Policy_B385B8D5;

let pristine: string;
beforeAll(() => {
  pristine = synthFixture();
});

describe('secret-rotation plan (markdown)', () => {
  let markdown: string;
  beforeAll(async () => {
    const result = await plan('--dir', pristine);
    expect({ code: result.code, err: result.err }).toEqual({ code: 0, err: '' });
    markdown = result.out;
  });
  const rowOf = (secret: string) => markdown.split('\n').find((line) => line.startsWith('| ') && line.includes(`\`${secret}\``));

  it('starts with a marker, a heading and a summary line', () => {
    expect(markdown.split('\n').slice(0, 4)).toEqual([
      '<!-- secret-rotation-plan -->',
      '## Secret rotation plan',
      '',
      "**13 secrets** in 7 stacks: 9 rotate (7 by a function of the stack, 1 by AWS's hosted rotation, 1 by the owning service), **4 do not rotate**.",
    ]);
    expect(markdown).not.toContain('### Changes');
  });

  it('lists every secret in one table, by stack, with how it rotates, its key and its alarms', () => {
    const rows = markdown.split('\n').filter((line) => /^\| [a-z-]+ \| `/.test(line));
    expect(rows.map((row) => row.split(' | ')[0].slice(2))).toEqual([
      ...Array(4).fill('custom-rotation'),
      'hosted-postgres-rotation',
      'mysql-rotation',
      'mysql-vpc-rotation',
      'mysql-vpc-rotation',
      ...Array(3).fill('postgres-multi-user-rotation'),
      'postgres-rotation',
      'rds-managed-password',
    ]);
    expect(markdown).toContain('| Stack | Secret | Rotated by | Schedule | Window | Immediately | KMS key | Alarms |');
    expect(rowOf('reference/postgres/app')).toMatch(
      /^\| postgres-rotation \| `reference\/postgres\/app` \| postgres-single-user function, code `[A-Za-z0-9+/]{10}` \| every 30 days \|  \| yes \| `aws_kms_key\.DatabaseCredential_EncryptionKey_\w+`, key rotation on \| failure rule, errors alarm \|$/,
    );
    expect(rowOf('reference/hosted/postgres')).toContain('| hosted `SecretsManagerRDSPostgreSQLRotationSingleUser` `1.1.671`, in a VPC | every 30 days |  | yes |');
    expect(rowOf('reference/hosted/postgres')).toMatch(/\| failure rule, errors alarm \|$/);
    expect(rowOf('reference/mysql/app')).toContain('| mysql-multi-user function, code ');
    expect(rowOf('reference/mysql/app')).toContain('| every 30 days | 4h | yes |');
    expect(rowOf('reference/postgres-multi/app')).toContain('| rate(10 days) |');
    expect(rowOf('reference/custom/vendor-token')).toContain('| custom function vendor-token.ts, code ');
    expect(rowOf('reference/custom/vendor-admin-key')).toContain('| **does not rotate** |');
    expect(rowOf('aws_db_instance.Database.master_user_secret')).toContain(
      "(owned by the service) | the owning service | every 7 days |  | no | `aws_kms_key.MasterSecretKey`, key rotation on | failure rule |",
    );
  });

  it("folds each function's permissions into a <details> block with a table of statements", () => {
    const details = markdown.split('<details>').slice(1);
    expect(details).toHaveLength(6);
    const postgres = details.find((d) => d.includes('<summary>postgres-rotation-PostgresRotation '));
    expect(postgres).toBeDefined();
    expect(postgres).toContain('<summary>postgres-rotation-PostgresRotation (postgres-single-user function): 4 statements, rotates reference/postgres/app</summary>');
    expect(postgres).toContain('| Sid | Effect | Actions | Resources | Conditions |');
    expect(postgres).toContain('| GeneratePasswords | Allow | `secretsmanager:GetRandomPassword` | `*` |  |');
    // ARNs built from the log group's ARN read as the stack's partition, region and account.
    expect(postgres).toContain('| `arn:{partition}:secretsmanager:{region}:{account}:secret:*` |');
    expect(postgres).toContain('</details>');
  });

  it('escapes a pipe in a table cell', async () => {
    const dir = synthFixture({ ...POSTGRES, mutate: (json) => (resourceOf(json, 'aws_secretsmanager_secret').name = 'team|app') });
    const { out } = await plan('--dir', dir);
    expect(out).toContain('| postgres-rotation | `team\\|app` |');
  });
});

describe('secret-rotation plan --format json', () => {
  it('is versioned, summarized, sorted, and the same bytes for the same synth', async () => {
    const first = await plan('--dir', pristine, '--format', 'json');
    const second = await plan('--dir', synthFixture(), '--format', 'json');
    expect(second.out).toBe(first.out);
    const json = JSON.parse(first.out) as PlanJson;
    expect(json.schemaVersion).toBe(1);
    expect(json.summary).toEqual({ stacks: 7, secrets: 13, rotating: { function: 7, hosted: 1, service: 1, external: 0 }, notRotating: 4 });
    expect(json.changes).toBeUndefined();
    const unsorted: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (typeof value === 'object' && value !== null) {
        const keys = Object.keys(value);
        if (keys.join() !== [...keys].sort().join()) unsorted.push(path);
        for (const k of keys) walk((value as Json)[k], `${path}.${k}`);
      }
    };
    walk(json, '$');
    expect(unsorted).toEqual([]);
    const order = json.secrets.map((s) => `${s.stack} ${s.address}`);
    expect(order).toEqual([...order].sort());
  });

  it('describes a secret, its rotation, its alarms and its function', async () => {
    const json = await planJson('--dir', pristine);
    const secret = json.secrets.find((s) => s.name === 'reference/postgres/app');
    const fn = json.functions.find((f) => f.stack === 'postgres-rotation');
    expect(secret).toEqual({
      stack: 'postgres-rotation',
      address: expect.stringMatching(/^aws_secretsmanager_secret\./),
      name: 'reference/postgres/app',
      constructPath: 'postgres-rotation/DatabaseCredential/Resource',
      owner: 'stack',
      kmsKey: { kind: 'stack', address: expect.stringMatching(/^aws_kms_key\./), keyRotation: true },
      rotation: {
        kind: 'function',
        address: expect.stringMatching(/^aws_secretsmanager_secret_rotation\./),
        functionAddress: fn?.address,
        schedule: { description: 'every 30 days', automaticallyAfterDays: 30, maxIntervalDays: 30 },
        rotateImmediately: true,
      },
      alarms: { failureRules: [expect.stringMatching(/^aws_cloudwatch_event_rule\./)], errorsAlarm: fn?.errorsAlarm },
    });
    expect(fn).toMatchObject({ handler: 'postgres-single-user', functionName: 'postgres-rotation-PostgresRotation', inVpc: false, secrets: [secret?.address] });
    expect(fn?.permissions.map((p) => p.sid)).toEqual(['GeneratePasswords', 'RotateTaggedSecrets', 'UseTaggedKeysThroughSecretsManager', 'WriteLogs']);
    const hosted = json.secrets.find((s) => s.stack === 'hosted-postgres-rotation')?.rotation;
    expect(hosted?.hosted).toEqual({
      applicationId: 'arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser',
      application: 'SecretsManagerRDSPostgreSQLRotationSingleUser',
      semanticVersion: '1.1.671',
      inVpc: true,
    });
  });
});

describe('secret-rotation plan --base', () => {
  it('says there are no rotation changes when the base is the same synth', async () => {
    const markdown = await plan('--dir', pristine, '--base', synthFixture());
    expect(markdown.code).toBe(0);
    expect(markdown.out).toContain('Against the base: no rotation changes.');
    expect(markdown.out).toContain('### Changes\n\nNo rotation changes.');
    const json = await planJson('--dir', pristine, '--base', synthFixture());
    expect(json.changes).toEqual([]);
    expect(json.summary.changes).toBe(0);
  });

  it('shows a schedule changed', async () => {
    const changes = await changesFrom({ ...POSTGRES, mutate: (json) => (resourceOf(json, 'aws_secretsmanager_secret_rotation').rotation_rules = { automatically_after_days: 7, duration: '2h' }) });
    expect(changes).toEqual([
      { kind: 'schedule-changed', stack: 'postgres-rotation', address: expect.stringMatching(/^aws_secretsmanager_secret\./), secrets: ['reference/postgres/app'], before: 'every 30 days', after: 'every 7 days, window 2h' },
    ]);
  });

  it('shows handler code changed, by its short hash', async () => {
    const changes = await changesFrom({ ...POSTGRES, mutate: (json) => (resourceOf(json, 'aws_lambda_function').source_code_hash = 'NEWHASH0123456789abcdefghijklmnopqrstuvwxyz=') });
    expect(changes).toEqual([
      {
        kind: 'handler-code-changed',
        stack: 'postgres-rotation',
        address: expect.stringMatching(/^aws_lambda_function\./),
        secrets: ['reference/postgres/app'],
        before: expect.stringMatching(/^postgres-single-user function, code [A-Za-z0-9+/]{10}$/),
        after: 'postgres-single-user function, code NEWHASH012',
      },
    ]);
  });

  it('shows a statement added as permissions widened, grant by grant', async () => {
    const changes = await changesFrom({ ...POSTGRES, mutate: (json) => rolePolicy(json).statement.push({ sid: 'ReadBuckets', actions: ['s3:GetObject', 's3:ListBucket'], resources: ['*'] }) });
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'permissions-widened', address: expect.stringMatching(/^aws_lambda_function\./), grants: ['Allow s3:GetObject on *', 'Allow s3:ListBucket on *'] }),
    ]);
    const { out } = await plan('--dir', synthFixture({ ...POSTGRES, mutate: (json) => rolePolicy(json).statement.push({ actions: ['s3:GetObject'], resources: ['*'] }) }), '--base', synthFixture(POSTGRES));
    expect(out).toContain('Against the base: 1 change (1 permissions widened).');
    expect(out).toMatch(/^\| \*\*permissions widened\*\* \| postgres-rotation \| `aws_lambda_function\.\w+` \| `reference\/postgres\/app` \| 10 grants \| 11 grants<br>`Allow s3:GetObject on \*` \|$/m);
  });

  it('shows a statement removed as permissions narrowed, and a condition dropped as both', async () => {
    const removed = await changesFrom({ ...POSTGRES, mutate: (json) => (rolePolicy(json).statement = rolePolicy(json).statement.filter((s: Json) => s.sid !== 'WriteLogs')) });
    expect(removed).toEqual([
      expect.objectContaining({
        kind: 'permissions-narrowed',
        grants: [expect.stringMatching(/^Allow logs:CreateLogStream on \$\{aws_cloudwatch_log_group\.\w+\.arn\}:\*$/), expect.stringMatching(/^Allow logs:PutLogEvents on /)],
      }),
    ]);
    const unconditioned = await changesFrom({
      ...POSTGRES,
      mutate: (json) => delete rolePolicy(json).statement.find((s: Json) => s.sid === 'RotateTaggedSecrets').condition,
    });
    expect(unconditioned.map((c) => [c.kind, c.grants?.length])).toEqual([
      ['permissions-narrowed', 5],
      ['permissions-widened', 5],
    ]);
  });

  describe('a policy that cannot be read', () => {
    const EVERYTHING = '${jsonencode({"Statement" = [{"Effect" = "Allow", "Action" = "secretsmanager:*", "Resource" = "*"}]})}';
    const withPolicy = (policy: string): SynthFixtureOptions => ({
      ...POSTGRES,
      mutate: (json) => {
        json.resource.aws_iam_role_policy.Extra = { role: `\${aws_iam_role.${Object.keys(json.resource.aws_iam_role)[0]}.name}`, policy };
      },
    });

    it('is listed in the JSON and, where every reviewer sees it, in the markdown', async () => {
      const json = await planJson('--dir', synthFixture(withPolicy(EVERYTHING)));
      expect(json.functions[0].unreadablePolicies).toEqual([{ address: 'aws_iam_role_policy.Extra', reason: 'an expression (jsonencode(…))', digest: expect.stringMatching(/^[0-9a-f]{12}$/) }]);
      const { out } = await plan('--dir', synthFixture(withPolicy(EVERYTHING)));
      expect(out.split('\n')[5]).toBe(
        '**1 policy could not be read**, so what it allows is unknown (`check` fails it, SR005): `aws_iam_role_policy.Extra` of postgres-rotation-PostgresRotation (an expression (jsonencode(…))).',
      );
      expect(out).toContain('<summary>postgres-rotation-PostgresRotation (postgres-single-user function): 4 statements, 1 policy not read, rotates reference/postgres/app</summary>');
      expect(out).toMatch(/\*\*Could not be read\*\* \(not in the table\): `aws_iam_role_policy\.Extra` \(an expression \(jsonencode\(…\)\), digest `[0-9a-f]{12}`\)\./);
      expect(out).not.toContain('secretsmanager:*');
    });

    it('widens the permissions when it appears, whatever it says', async () => {
      const changes = await changesFrom(withPolicy(EVERYTHING));
      expect(changes).toEqual([
        expect.objectContaining({ kind: 'permissions-widened', grants: [expect.stringMatching(/^Unreadable policy aws_iam_role_policy\.Extra \(an expression \(jsonencode\(…\)\), digest [0-9a-f]{12}\)$/)] }),
      ]);
    });

    it('widens the permissions when it changes, once, and narrows them when it goes', async () => {
      const changed = await changesFrom(withPolicy(EVERYTHING), withPolicy('${jsonencode({"Statement" = []})}'));
      expect(changed.map((c) => [c.kind, c.grants?.length])).toEqual([['permissions-widened', 1]]);
      const gone = await changesFrom(POSTGRES, withPolicy(EVERYTHING));
      expect(gone.map((c) => c.kind)).toEqual(['permissions-narrowed']);
      expect(await changesFrom(withPolicy(EVERYTHING), withPolicy(EVERYTHING))).toEqual([]);
    });
  });

  it('shows a Deny added as permissions narrowed', async () => {
    const changes = await changesFrom({ ...POSTGRES, mutate: (json) => rolePolicy(json).statement.push({ effect: 'Deny', actions: ['secretsmanager:DeleteSecret'], resources: ['*'] }) });
    expect(changes).toEqual([expect.objectContaining({ kind: 'permissions-narrowed', grants: ['Deny secretsmanager:DeleteSecret on *'] })]);
  });

  it('shows rotation turned off when the rotation resource is removed, and on when it comes back', async () => {
    const withoutRotation: SynthFixtureOptions = { ...POSTGRES, mutate: (json) => delete json.resource.aws_secretsmanager_secret_rotation };
    const off = await changesFrom(withoutRotation);
    expect(off).toEqual([
      expect.objectContaining({ kind: 'rotation-turned-off', secrets: ['reference/postgres/app'], before: expect.stringMatching(/^postgres-single-user function aws_lambda_function\.\w+, every 30 days$/) }),
    ]);
    expect(off[0].after).toBeUndefined();
    const on = await changesFrom(POSTGRES, withoutRotation);
    expect(on).toEqual([expect.objectContaining({ kind: 'rotation-turned-on', after: expect.stringContaining('every 30 days') })]);
    const { out } = await plan('--dir', synthFixture(withoutRotation), '--base', synthFixture(POSTGRES));
    expect(out).toMatch(/^\| \*\*rotation turned off\*\* \| postgres-rotation \| /m);
  });

  it('shows secrets added and removed', async () => {
    const added = await changesFrom({ stacks: ['postgres-rotation', 'mysql-rotation'] }, POSTGRES);
    expect(added).toEqual([
      expect.objectContaining({ kind: 'secret-added', stack: 'mysql-rotation', secrets: ['reference/mysql/app-single-user'], after: expect.stringMatching(/^mysql-single-user function .*, every 30 days$/) }),
    ]);
    const removed = await changesFrom(POSTGRES, { stacks: ['postgres-rotation', 'mysql-rotation'] });
    expect(removed).toEqual([expect.objectContaining({ kind: 'secret-removed', stack: 'mysql-rotation', before: expect.stringContaining('mysql-single-user function') })]);
  });

  it('shows a KMS key changed, another rotator, and an alarm removed', async () => {
    const changes = await changesFrom({
      ...POSTGRES,
      mutate: (json) => {
        resourceOf(json, 'aws_secretsmanager_secret').kms_key_id = 'arn:aws:kms:eu-west-1:111122223333:key/shared';
        resourceOf(json, 'aws_secretsmanager_secret_rotation').rotation_lambda_arn = 'arn:aws:lambda:eu-west-1:111122223333:function:shared';
        delete json.resource.aws_cloudwatch_event_target;
      },
    });
    expect(changes.map((c) => [c.kind, c.before, c.after])).toEqual([
      ['alarm-removed', expect.stringMatching(/^failure rule aws_cloudwatch_event_rule\./), undefined],
      ['alarm-removed', expect.stringMatching(/^errors alarm aws_cloudwatch_metric_alarm\./), undefined],
      ['kms-key-changed', expect.stringMatching(/^aws_kms_key\.\w+ \(key rotation on\)$/), 'external key arn:aws:kms:eu-west-1:111122223333:key/shared'],
      ['rotator-changed', expect.stringMatching(/^postgres-single-user function aws_lambda_function\./), 'external Lambda arn:aws:lambda:eu-west-1:111122223333:function:shared'],
    ]);
  });

  it('never prints a secret value written into the stacks', async () => {
    const leaky: SynthFixtureOptions = {
      mutate: (json, stack) => {
        json.resource.aws_secretsmanager_secret_version ??= {};
        json.resource.aws_secretsmanager_secret_version.Leak = { secret_id: 'x', secret_string: 'hunter2-SECRET-VALUE' };
        if (stack === 'rds-managed-password') json.resource.aws_db_instance.Database.password = 'hunter2-SECRET-VALUE';
        json.variable.api_token = { type: 'string', default: 'hunter2-SECRET-VALUE' };
      },
    };
    for (const format of ['markdown', 'json']) {
      for (const args of [['--dir', synthFixture(leaky)], ['--dir', synthFixture(leaky), '--base', synthFixture()], ['--dir', synthFixture(), '--base', synthFixture(leaky)]]) {
        const result = await plan(...args, '--format', format);
        expect(result.code).toBe(0);
        expect(`${result.out}\n${result.err}`).not.toContain('hunter2');
      }
    }
  });
});
