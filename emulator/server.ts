import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { EmulatorError } from './errors';
import { Faults } from './faults';
import { randomPassword, RandomPasswordRequest } from './random-password';
import { SecretsState } from './store';

export type Operation = (request: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;

const TARGET_PREFIX = 'secretsmanager.';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Serves the AWS JSON 1.1 protocol: POST /, the operation in X-Amz-Target,
 * the request and response as JSON, errors as { __type, message }.
 * Requests are not signature-checked.
 */
export function createEmulatorServer(operations: Record<string, Operation>, faults: Faults): Server {
  return createServer((req, res) => {
    handle(req, res, operations, faults).catch((error) => send(res, 500, { __type: 'InternalServiceError', message: String(error) }));
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, operations: Record<string, Operation>, faults: Faults): Promise<void> {
  const body = await readBody(req);
  const target = String(req.headers['x-amz-target'] ?? '');
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = Object.prototype.hasOwnProperty.call(operations, name) ? operations[name] : undefined;
  try {
    if (req.method !== 'POST' || !operation) {
      throw new EmulatorError('UnknownOperationException', `The emulator does not implement ${JSON.stringify(target)}.`);
    }
    let request: Record<string, unknown>;
    try {
      request = body.length ? JSON.parse(body) : {};
    } catch {
      throw new EmulatorError('SerializationException', 'The request body is not valid JSON.');
    }
    await faults.apply(name);
    send(res, 200, await operation(request));
  } catch (error) {
    if (error instanceof EmulatorError) send(res, error.status, { __type: error.type, message: error.message }, error.type);
    else send(res, 500, { __type: 'InternalServiceError', message: error instanceof Error ? error.message : String(error) }, 'InternalServiceError');
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: Record<string, unknown>, errorType?: string): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

/** Every operation the emulator answers, bound to one state. */
export function operationsFor(state: SecretsState, rotate: Operation): Record<string, Operation> {
  return {
    CreateSecret: (r) => state.CreateSecret(r),
    DescribeSecret: (r) => state.DescribeSecret(r),
    GetSecretValue: (r) => state.GetSecretValue(r),
    PutSecretValue: (r) => state.PutSecretValue(r),
    UpdateSecretVersionStage: (r) => state.UpdateSecretVersionStage(r),
    ListSecretVersionIds: (r) => state.ListSecretVersionIds(r),
    DeleteSecret: (r) => state.DeleteSecret(r),
    GetRandomPassword: (r) => ({ RandomPassword: randomPassword(r as RandomPasswordRequest) }),
    RotateSecret: rotate,
  };
}
