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

export const notFound = (what = 'secret') => new EmulatorError('ResourceNotFoundException', `Secrets Manager can't find the specified ${what}.`);
export const invalidParameter = (message: string) => new EmulatorError('InvalidParameterException', message);
export const invalidRequest = (message: string) => new EmulatorError('InvalidRequestException', message);
