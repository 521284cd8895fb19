import { startEmulator } from '../../emulator';
import { integer, parseOptions } from '../args';
import { EXIT } from '../errors';
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

Prints one line to stdout when ready: the endpoint URL.`,

  async run(argv, io) {
    const options = parseOptions('emulator', argv, { port: { type: 'string' }, region: { type: 'string' } });
    if (options.help) {
      io.out(emulatorCommand.help);
      return EXIT.ok;
    }
    const port = integer('emulator', 'port', options.port as string | undefined, 0, 65535, 0);
    const emulator = await startEmulator({ port, ...(options.region ? { region: options.region as string } : {}) });
    io.out(emulator.endpoint);
    io.err(`secret-rotation emulator: serving Secrets Manager at ${emulator.endpoint}; Ctrl-C stops it`);
    await (io.interrupted ?? new Promise<void>(() => undefined));
    await emulator.stop();
    return EXIT.ok;
  },
};
