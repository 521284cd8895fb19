import { Testing } from 'cdktf';
import { MysqlVpcRotationStack } from '../../stacks/mysql-vpc-rotation';

const json = () => JSON.parse(Testing.synth(new MysqlVpcRotationStack(Testing.app(), 'mysql-vpc-rotation')));

describe('the mysql-vpc-rotation reference stack', () => {
  it('rotates the app credential with mysql-multi-user in the VPC, through a Secrets Manager endpoint, reading the master secret', () => {
    const stack = json();
    const [lambda] = Object.values(stack.resource.aws_lambda_function) as Array<{ filename: string; vpc_config: unknown; environment: { variables: Record<string, string> } }>;
    expect(lambda.filename).toMatch(/\/mysql-multi-user\.zip$/);
    expect(lambda.vpc_config).toEqual({ subnet_ids: '${var.subnet_ids}', security_group_ids: '${var.security_group_ids}' });
    expect(lambda.environment.variables.SECRETS_MANAGER_ENDPOINT).toMatch(/^https:\/\/\$\{element\(aws_vpc_endpoint\.\w+\.dns_entry, 0\)\.dns_name\}$/);
    expect(Object.values(stack.resource.aws_vpc_endpoint)).toEqual([expect.objectContaining({ vpc_id: '${var.vpc_id}', vpc_endpoint_type: 'Interface' })]);
    const statements = (Object.values(stack.data.aws_iam_policy_document) as Array<{ statement: Array<Record<string, unknown>> }>).flatMap((d) => d.statement);
    const master = Object.keys(stack.resource.aws_secretsmanager_secret).find((id) => id.startsWith('MasterCredential'));
    expect(statements.find((s) => s.sid === 'ReadSecrets')?.resources).toEqual([`\${aws_secretsmanager_secret.${master}.arn}`]);
    // Only the app secret rotates; the master is read, not rotated.
    expect(Object.keys(stack.resource.aws_secretsmanager_secret_rotation)).toHaveLength(1);
  });
});
