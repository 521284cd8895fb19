import { join } from 'node:path';
import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformVariable } from 'cdktf';
import { RotatedSecret, RotationFunction } from '../modules';
import { packageRoot } from '../modules/private/handler-package';
import { ReferenceStack } from './reference-stack';

/**
 * The user handler that this stack deploys. `npm run synth` runs this file
 * compiled, from dist/lib/stacks, and the tests run it from stacks/ under
 * ts-jest; in both, the handler's TypeScript source is bundled (not the .js
 * that tsc writes beside the compiled stack, which would bundle to other
 * bytes), found from the package root, so the archive and its
 * source_code_hash are the same whichever way the stack is synthesized and
 * wherever the repository is cloned. In your own app, a path relative to
 * your cdktf.json folder, or next to your stack's source, does the same.
 */
export const VENDOR_TOKEN_ENTRY = join(packageRoot(), 'stacks', 'handlers', 'vendor-token.ts');

/**
 * Third-party API credentials rotated by Lambda functions that are not
 * about databases:
 * - a vendor's API key, rotated by the built-in http-api-key handler, which
 *   has the vendor issue a new key and revokes the old one after a grace
 *   period, with an admin key that it may only read;
 * - a token of an API where the client chooses the token, rotated by a
 *   handler of your own (stacks/handlers/vendor-token.ts) written with the
 *   public authoring API and bundled at synth from `entry`.
 * Each function may call only its API's host (allowedHosts). Every key comes
 * from an ephemeral variable and is written write-only.
 */
export class CustomRotationStack extends ReferenceStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const keyId = new TerraformVariable(this, 'vendor_key_id', { type: 'string', description: "The vendor's id of the current API key" });
    const tokenId = new TerraformVariable(this, 'token_key_id', { type: 'string', description: 'The id under which the current token is registered' });
    // An API's admin key: not rotated here, and only read by the rotation function.
    const adminKey = (id: string, api: string) =>
      new RotatedSecret(this, id, {
        name: `reference/custom/${api}-admin-key`,
        description: `Admin key of the ${api} API, read by its rotation function`,
        initialValue: Fn.jsonencode({ apiKey: this.password(`${api}_admin_key`, `Admin key of the ${api} API`) }),
      });

    // The vendor issues keys: the built-in handler.
    const vendorAdmin = adminKey('VendorAdminKey', 'vendor');
    const vendorApi = 'https://api.vendor.example';
    const vendorRotation = RotationFunction.httpApiKey(this, 'VendorKeyRotation', {
      allowedHosts: ['api.vendor.example'],
      httpTimeoutMs: 5000,
      // finishSecret waits out the secret's 30 s grace period, then revokes.
      timeout: 60,
    });
    const vendorKey = new RotatedSecret(this, 'VendorKey', {
      name: 'reference/custom/vendor-api-key',
      description: 'API key of the vendor, issued and revoked by the vendor on each rotation',
      initialValue: Fn.jsonencode({
        apiKey: this.password('vendor_api_key', 'Current API key'),
        keyId: keyId.stringValue,
        adminSecretArn: vendorAdmin.secretArn,
        issue: { url: `${vendorApi}/v1/keys`, body: { name: 'rotation {token}' }, keyPath: 'data.secret', keyIdPath: 'data.id' },
        test: { url: `${vendorApi}/v1/me` },
        revoke: { url: `${vendorApi}/v1/keys/{keyId}` },
        gracePeriodSeconds: 30,
      }),
      rotation: { function: vendorRotation, adminSecret: vendorAdmin, automaticallyAfterDays: 30 },
    });

    // The client chooses the token: a handler of your own.
    const tokenAdmin = adminKey('TokenAdminKey', 'token');
    const tokenRotation = new RotationFunction(this, 'VendorTokenRotation', { entry: VENDOR_TOKEN_ENTRY, allowedHosts: ['tokens.vendor.example'] });
    const token = new RotatedSecret(this, 'VendorToken', {
      name: 'reference/custom/vendor-token',
      description: 'Token registered with the vendor by the vendor-token handler',
      initialValue: Fn.jsonencode({
        apiKey: this.password('vendor_token', 'Current token'),
        keyId: tokenId.stringValue,
        apiBase: 'https://tokens.vendor.example',
        adminSecretArn: tokenAdmin.secretArn,
      }),
      rotation: { function: tokenRotation, adminSecret: tokenAdmin, automaticallyAfterDays: 7 },
    });

    new TerraformOutput(this, 'vendor_key_secret_arn', { value: vendorKey.secretArn });
    new TerraformOutput(this, 'vendor_token_secret_arn', { value: token.secretArn });
  }
}
