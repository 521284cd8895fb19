import { Token } from 'cdktf';

/** A construct was given a prop it cannot use. Thrown before anything is created. */
export class InvalidPropError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropError';
  }
}

/** A value known at synth time: not an unresolved token (a Terraform reference or variable). */
export function isKnown<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Shows a prop value in an error message. */
export function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Fails unless `value` (when known) is a whole number in [min, max]. */
export function checkInteger(prop: string, value: number | undefined, min: number, max: number): void {
  if (!isKnown(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPropError(`${prop} must be a whole number from ${min} to ${max}, got ${show(value)}`);
  }
}

const KMS_ALIAS_ARN = /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//;

/** Fails when `value` (when known) is a KMS alias ARN: IAM policies match keys by key ARN only, so a grant on an alias would never apply. */
export function checkKeyArn(prop: string, value: string | undefined): void {
  if (isKnown(value) && KMS_ALIAS_ARN.test(value)) {
    throw new InvalidPropError(`${prop} must be a key ARN (arn:…:key/…), not an alias ARN, got ${show(value)}; look the key up with the aws_kms_alias data source and pass its target_key_arn`);
  }
}

/** Fails unless the subnet and security group ids (when known) are non-empty lists of subnet-… and sg-… ids. */
export function checkVpcIds(prop: string, vpc: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] }): void {
  for (const [name, ids, prefix] of [
    [`${prop}.subnetIds`, vpc.subnetIds, 'subnet-'],
    [`${prop}.securityGroupIds`, vpc.securityGroupIds, 'sg-'],
  ] as const) {
    if (!isKnown(ids)) continue;
    if (ids.length === 0) throw new InvalidPropError(`${name} must name at least one ${prefix}… id, got []`);
    const bad = ids.find((id) => isKnown(id) && !id.startsWith(prefix));
    if (bad !== undefined) throw new InvalidPropError(`${name} must hold ${prefix}… ids, got ${show(bad)}`);
  }
}
