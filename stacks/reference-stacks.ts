import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { HostedPostgresRotationStack } from './hosted-postgres-rotation';
import { MysqlVpcRotationStack } from './mysql-vpc-rotation';
import { PostgresRotationStack } from './postgres-rotation';
import { RdsManagedPasswordStack } from './rds-managed-password';

/** Every reference stack, by the name it is synthesized under (cdktf.out/stacks/<name>). */
export const REFERENCE_STACKS: Record<string, new (scope: Construct, id: string) => TerraformStack> = {
  'postgres-rotation': PostgresRotationStack,
  'mysql-vpc-rotation': MysqlVpcRotationStack,
  'hosted-postgres-rotation': HostedPostgresRotationStack,
  'rds-managed-password': RdsManagedPasswordStack,
};
