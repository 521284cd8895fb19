import { InvalidEventError } from './errors';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The event Secrets Manager sends to a rotation Lambda. */
export interface RotationEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/** Checks the shape of an incoming event before anything is read or written. */
export function parseRotationEvent(event: unknown): RotationEvent {
  if (!event || typeof event !== 'object') {
    throw new InvalidEventError(`expected a Secrets Manager rotation event object, got ${event === null ? 'null' : typeof event}`);
  }
  const { Step, SecretId, ClientRequestToken } = event as Record<string, unknown>;
  for (const [name, value] of Object.entries({ Step, SecretId, ClientRequestToken })) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidEventError(`the rotation event has no ${name}; Secrets Manager sends { Step, SecretId, ClientRequestToken }`);
    }
  }
  if (!(ROTATION_STEPS as readonly string[]).includes(Step as string)) {
    throw new InvalidEventError(`unknown rotation step ${quote(Step as string)}; expected one of ${ROTATION_STEPS.join(', ')}`);
  }
  return { Step: Step as RotationStep, SecretId: SecretId as string, ClientRequestToken: ClientRequestToken as string };
}

/** Quotes untrusted input for a message, bounded so a huge value cannot flood the log. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
}
