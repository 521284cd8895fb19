/**
 * Rotates a key of a third-party HTTP API that issues and revokes keys.
 * Secret: apiKey, adminSecretArn, issue, test, revoke and gracePeriodSeconds
 * (see the README, "http-api-key"). Environment: ALLOWED_HOSTS (hosts the
 * secret may point at) and HTTP_TIMEOUT_MS (per request, default 10000).
 */
import { httpApiKeyRotation } from '../shared/http-api-key-rotation';
import { httpPolicyFromEnvironment } from '../shared/http-request';
import { rotationHandler } from '../shared/rotation-handler';

export const handler = rotationHandler(httpApiKeyRotation({ policy: httpPolicyFromEnvironment() }), { name: 'http-api-key' });
