import { Fn, Token } from 'cdktf';

/**
 * The tag that marks a secret (and a key created for it) as rotated by one
 * function. The function's role is granted on tagged secrets by a single
 * statement, so its policy keeps one size however many secrets it rotates.
 */
export const ROTATION_TAG_KEY = 'SecretRotationFunction';

/** A secret granted to a rotation function, and whether it carries the function's tag. */
export interface SecretGrant {
  readonly secretArn: string;
  readonly kmsKeyArn?: string;
  /** The secret carries the rotation tag: covered by the tag statement, not listed. */
  readonly tagged?: boolean;
  /** Its key carries the rotation tag too. */
  readonly keyTagged?: boolean;
}

type Statement = Record<string, unknown>;

export const ROTATE_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  // To find the password of a rotation abandoned after setSecret.
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

/**
 * The grants of one rotation function, rendered as IAM statements at synth
 * time. Account, region and partition are read from an ARN in that account
 * and region (the function's log group), so no data source calls AWS.
 */
export class RotationGrants {
  private readonly listed: string[] = [];
  private readonly listedKeys = new Set<string>();
  private readonly readable: string[] = [];
  private readonly readableKeys = new Set<string>();
  private tagged = false;
  private taggedKeys = false;
  private network?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  readonly partition: string;
  readonly region: string;
  readonly account: string;

  constructor(
    private readonly tagValue: string,
    /** The function's log group: its ARN says the account, region and partition. */
    private readonly logGroupArn: string,
  ) {
    const field = (n: number) => Fn.element(Fn.split(':', logGroupArn), n);
    this.partition = field(1);
    this.region = field(3);
    this.account = field(4);
  }

  /** Every secret of this account and region: the invoke permission's source, and the tag statement's resource. */
  get secretArnPattern(): string {
    return `arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:*`;
  }

  get isEmpty(): boolean {
    return !this.tagged && this.listed.length === 0;
  }

  addSecret(grant: SecretGrant): void {
    if (grant.tagged) this.tagged = true;
    else this.listed.push(grant.secretArn);
    if (grant.kmsKeyArn === undefined) return;
    if (grant.tagged && grant.keyTagged) this.taggedKeys = true;
    else this.listedKeys.add(grant.kmsKeyArn);
  }

  /**
   * A secret that carries the rotation tag, named by nothing else: RotatedSecret's,
   * granted before its resources exist. Its key is the one made for it (tagged
   * too) unless `customerKeyArn` names the key it was given.
   */
  addTaggedSecret(customerKeyArn: string | undefined): void {
    this.tagged = true;
    if (customerKeyArn === undefined) this.taggedKeys = true;
    else this.listedKeys.add(customerKeyArn);
  }

  /** The function runs in these subnets: Lambda manages its network interfaces there with the function's role. */
  addNetwork(network: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] }): void {
    this.network = network;
  }

  /** A secret the function only reads, e.g. a master or admin credential: GetSecretValue, and its key through Secrets Manager. */
  addReadableSecret(grant: { readonly secretArn: string; readonly kmsKeyArn?: string }): void {
    if (!this.readable.includes(grant.secretArn)) this.readable.push(grant.secretArn);
    if (grant.kmsKeyArn !== undefined) this.readableKeys.add(grant.kmsKeyArn);
  }

  /** The ARNs of the secrets granted with addReadableSecret, in the order granted. */
  readableSecretArns(): string[] {
    return [...this.readable];
  }

  statements(): Statement[] {
    const viaSecretsManager = { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${this.region}.amazonaws.com`] };
    const byTag = (prefix: string) => ({ test: 'StringEquals', variable: `${prefix}:ResourceTag/${ROTATION_TAG_KEY}`, values: [this.tagValue] });
    const statements: Statement[] = [
      { sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroupArn}:*`] },
      // GetRandomPassword acts on no resource, so IAM only accepts "*".
      { sid: 'GeneratePasswords', actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] },
    ];
    if (this.tagged) {
      statements.push({ sid: 'RotateTaggedSecrets', actions: ROTATE_ACTIONS, resources: [this.secretArnPattern], condition: [byTag('secretsmanager')] });
    }
    if (this.listed.length > 0) statements.push({ sid: 'RotateSecrets', actions: ROTATE_ACTIONS, resources: [...this.listed] });
    // Reading another secret is one GetSecretValue (RotationContext.readSecret): nothing more.
    if (this.readable.length > 0) statements.push({ sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [...this.readable] });
    const keyActions = ['kms:Decrypt', 'kms:GenerateDataKey'];
    if (this.taggedKeys) {
      statements.push({
        sid: 'UseTaggedKeysThroughSecretsManager',
        actions: keyActions,
        resources: [`arn:${this.partition}:kms:${this.region}:${this.account}:key/*`],
        condition: [viaSecretsManager, byTag('aws')],
      });
    }
    if (this.listedKeys.size > 0) {
      statements.push({ sid: 'UseSecretKeysThroughSecretsManager', actions: keyActions, resources: [...this.listedKeys], condition: [viaSecretsManager] });
    }
    if (this.readableKeys.size > 0) {
      statements.push({ sid: 'ReadSecretKeysThroughSecretsManager', actions: ['kms:Decrypt'], resources: [...this.readableKeys], condition: [viaSecretsManager] });
    }
    if (this.network) statements.push(...this.networkStatements(this.network));
    return statements;
  }

  /**
   * What Lambda needs to place the function in a VPC, as narrow as EC2
   * allows: creating interfaces only in the given subnets with the given
   * security groups; deleting and re-addressing only interfaces in those
   * subnets; describing, which has no resource-level permissions, on "*".
   */
  private networkStatements(network: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] }): Statement[] {
    const prefix = `arn:${this.partition}:ec2:${this.region}:${this.account}:`;
    // The ids may be one Terraform list (a variable): then the ARNs are built by Terraform.
    const arns = (kind: string, ids: readonly string[]): string[] =>
      Token.isUnresolved(ids)
        ? Fn.formatlist(Fn.format(`arn:%s:ec2:%s:%s:${kind}/%%s`, [this.partition, this.region, this.account]), [ids])
        : ids.map((id) => `${prefix}${kind}/${id}`);
    const subnets = arns('subnet', network.subnetIds);
    const groups = arns('security-group', network.securityGroupIds);
    const interfaces = `${prefix}network-interface/*`;
    const inSubnets = { test: 'ArnEquals', variable: 'ec2:Subnet', values: subnets };
    return [
      {
        sid: 'CreateNetworkInterfacesInItsSubnets',
        actions: ['ec2:CreateNetworkInterface'],
        resources: Token.isUnresolved(subnets) || Token.isUnresolved(groups) ? Fn.concat([subnets, groups]) : [...subnets, ...groups],
      },
      {
        sid: 'ManageNetworkInterfacesInItsSubnets',
        actions: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: [interfaces],
        condition: [inSubnets],
      },
      { sid: 'DescribeNetworkInterfaces', actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], resources: ['*'] },
    ];
  }
}
