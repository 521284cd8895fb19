import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { RotationFunction, RotationSchedule } from 'cdktf-secret-rotation';

/**
 * Rotation of a secret that already exists, made elsewhere (another stack,
 * or by hand): grant the function access to it, then turn rotation on once
 * the invoke permission and the role's policy exist.
 */
class ExistingSecretStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const secretArn = new TerraformVariable(this, 'secret_arn', { type: 'string', description: 'ARN of the secret to rotate' });
    const kmsKeyArn = new TerraformVariable(this, 'kms_key_arn', { type: 'string', description: 'ARN of the key that encrypts it' });

    const rotation = RotationFunction.redshiftSingleUser(this, 'RedshiftRotation');
    const permission = rotation.grantRotation({ secretArn: secretArn.stringValue, kmsKeyArn: kmsKeyArn.stringValue });
    new RotationSchedule(this, 'Schedule', {
      secretId: secretArn.stringValue,
      rotationLambdaArn: rotation.functionArn,
      scheduleExpression: 'cron(0 4 ? * SUN *)', // Sundays from 04:00 UTC
      duration: '3h',
      dependsOn: [permission, rotation.resource], // the function waits for its role's policy
    });
  }
}

const app = new App();
new ExistingSecretStack(app, 'warehouse-rotation');
app.synth();
