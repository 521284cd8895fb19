/** An error the emulator answers with, using AWS's error type names. */
export class EmulatorError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'EmulatorError';
  }
}

// AWS ends "...the specified secret." with a period, but not the messages that
// name a staging label or version id; callers match on the exact text.
export const notFound = (what?: string) =>
  new EmulatorError('ResourceNotFoundException', what ? `Secrets Manager can't find the specified ${what}` : "Secrets Manager can't find the specified secret.");
export const invalidParameter = (message: string) => new EmulatorError('InvalidParameterException', message);
export const invalidRequest = (message: string) => new EmulatorError('InvalidRequestException', message);
