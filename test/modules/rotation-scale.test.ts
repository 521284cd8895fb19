import { RotatedSecret, RotationFunction } from '../../modules';
import { resources, synth } from '../support/synth';

/** IAM's limit on the inline policies of one role, all together, in characters without white space. */
const INLINE_POLICY_LIMIT = 10_240;

/**
 * The role policy as IAM will see it: the data source's statements in IAM's
 * JSON, every Terraform interpolation replaced by 64 characters, more than
 * any account id, region, partition or ARN part that can stand there.
 */
function renderedPolicy(json: string): string {
  const documents = JSON.parse(json).data.aws_iam_policy_document as Record<string, { statement: Array<Record<string, unknown>> }>;
  const policy = Object.entries(documents).find(([id]) => id.includes('_Policy_'))![1];
  const statements = policy.statement.map((s) => ({
    Sid: s.sid,
    Effect: 'Allow',
    Action: s.actions,
    Resource: s.resources,
    ...(s.condition
      ? {
          Condition: Object.fromEntries(
            (s.condition as Array<{ test: string; variable: string; values: string[] }>).map((c) => [c.test, { [c.variable]: c.values }]),
          ),
        }
      : {}),
  }));
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }).replace(/\$\{[^}]*\}/g, 'x'.repeat(64));
}

function stackOf(count: number, kmsKeyArn?: string): string {
  return synth((scope) => {
    const fn = new RotationFunction(scope, 'Rotation', { handler: 'postgres-single-user', functionName: 'rotate-many' });
    for (let i = 0; i < count; i += 1) new RotatedSecret(scope, `Secret${i}`, { kmsKeyArn, rotation: { function: fn } });
  });
}

describe('one RotationFunction serving many secrets', () => {
  it.each([
    ['a key per secret', undefined],
    ['one shared key', 'arn:aws:kms:eu-west-1:123456789012:key/shared'],
  ])('keeps its role policy within IAM\'s limit, and the same size, at 1 and 1,000 secrets (%s)', (_label, key) => {
    const one = renderedPolicy(stackOf(1, key));
    const thousand = stackOf(1000, key);
    const policy = renderedPolicy(thousand);
    expect(policy.length).toBe(one.length);
    expect(policy.length).toBeLessThan(INLINE_POLICY_LIMIT);
    // One invoke permission, however many secrets: Lambda's resource policy holds 20 KB.
    expect(Object.keys(resources(thousand, 'aws_lambda_permission'))).toHaveLength(1);
    expect(Object.keys(resources(thousand, 'aws_secretsmanager_secret_rotation'))).toHaveLength(1000);
  });
});
