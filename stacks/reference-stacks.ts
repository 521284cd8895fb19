import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { CustomRotationStack } from './custom-rotation';
import { HostedPostgresRotationStack } from './hosted-postgres-rotation';
import { MysqlRotationStack } from './mysql-rotation';
import { MysqlVpcRotationStack } from './mysql-vpc-rotation';
import { PostgresMultiUserRotationStack } from './postgres-multi-user-rotation';
import { PostgresRotationStack } from './postgres-rotation';
import { RdsManagedPasswordStack } from './rds-managed-password';

/** Every reference stack, by the name it is synthesized under (cdktf.out/stacks/<name>). */
export const REFERENCE_STACKS: Record<string, new (scope: Construct, id: string) => TerraformStack> = {
  'postgres-rotation': PostgresRotationStack,
  'postgres-multi-user-rotation': PostgresMultiUserRotationStack,
  'mysql-rotation': MysqlRotationStack,
  'mysql-vpc-rotation': MysqlVpcRotationStack,
  'hosted-postgres-rotation': HostedPostgresRotationStack,
  'rds-managed-password': RdsManagedPasswordStack,
  'custom-rotation': CustomRotationStack,
};
