import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** Synthesizes a fresh app with one stack built by `build`, and returns cdk.tf.json as a string. */
export function synth(build: (scope: Construct) => void): string {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  return Testing.synth(stack);
}

/** The synthesized resources of one Terraform type, by logical id. */
export function resources(json: string, type: string): Record<string, Record<string, unknown>> {
  return (JSON.parse(json).resource?.[type] ?? {}) as Record<string, Record<string, unknown>>;
}

/** The only resource of `type`, failing when there is not exactly one. */
export function only(json: string, type: string): Record<string, unknown> {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}
