import { Emulator, startEmulator } from '../../emulator';
import { integer, parseOptions } from '../args';
import { EXIT, usageError } from '../errors';
import { Command } from '../io';

export const emulatorCommand: Command = {
  help: `Usage: secret-rotation emulator [--port N] [--region R]

Serves the emulator on 127.0.0.1: the real AWS SDK, pointed at the printed
endpoint (or SECRETS_MANAGER_ENDPOINT), works against it as against AWS.
Everything is kept in memory and lost when it stops (Ctrl-C).

Options:
  --port N      TCP port on 127.0.0.1 (default 0: a free port, printed)
  --region R    region in the ARNs it makes (default us-east-1)
  -h, --help    this text

Prints one line to stdout when ready: the endpoint URL.

Exit codes: 0 stopped by Ctrl-C; 2 bad command line, or a --port that is in
use or not allowed (try another, or --port 0).`,

  async run(argv, io) {
    const options = parseOptions('emulator', argv, { port: { type: 'string' }, region: { type: 'string' } });
    if (options.help) {
      io.out(emulatorCommand.help);
      return EXIT.ok;
    }
    const port = integer('emulator', 'port', options.port as string | undefined, 0, 65535, 0);
    let emulator: Emulator;
    try {
      emulator = await startEmulator({ port, ...(options.region ? { region: options.region as string } : {}) });
    } catch (error) {
      throw portError(port, error);
    }
    io.out(emulator.endpoint);
    io.err(`secret-rotation emulator: serving Secrets Manager at ${emulator.endpoint}; Ctrl-C stops it`);
    await (io.interrupted ?? new Promise<void>(() => undefined));
    await emulator.stop();
    return EXIT.ok;
  },
};

/** A port that cannot be listened on is the command line's fault (exit 2); any other failure is left as it is. */
function portError(port: number, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return usageError(`--port ${port} is in use on 127.0.0.1 (EADDRINUSE); choose another port, or --port 0 for a free one (the endpoint is printed)`);
  }
  if (code === 'EACCES') {
    return usageError(`--port ${port} may not be listened on by this user (EACCES; ports below 1024 usually need privileges); choose another port, or --port 0 for a free one (the endpoint is printed)`);
  }
  return error;
}
