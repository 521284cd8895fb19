/**
 * Rotates a key of a third-party HTTP API that issues and revokes keys.
 * Secret: apiKey, adminSecretArn, issue, test, revoke and gracePeriodSeconds
 * (see the README, "http-api-key"). Environment: ALLOWED_HOSTS (hosts the
 * secret may point at), HTTP_TIMEOUT_MS (per request, default 10000) and
 * ADMIN_SECRET_ARNS (the secrets an admin credential may come from).
 */
import { httpApiKeyRotation } from '../shared/http-api-key-rotation';
import { httpPolicyFromEnvironment } from '../shared/http-request';
import { rotationHandler } from '../shared/rotation-handler';

const adminSecretArns = (process.env.ADMIN_SECRET_ARNS ?? '').split(',').map((arn) => arn.trim()).filter((arn) => arn !== '');

export const handler = rotationHandler(httpApiKeyRotation({ policy: httpPolicyFromEnvironment(), adminSecretArns }), { name: 'http-api-key' });
