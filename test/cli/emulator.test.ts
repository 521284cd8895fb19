import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createServer, Server } from 'node:net';
import { main } from '../../cli/main';

/** `secret-rotation emulator`, served in-process until its interrupted promise resolves (Ctrl-C). */
describe('emulator', () => {
  it('serves Secrets Manager at the endpoint it prints, until interrupted', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let stop!: () => void;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    const exited = main(['emulator', '--port', '0', '--region', 'eu-west-1'], { out: (t) => out.push(t), err: (t) => err.push(t), interrupted });

    while (out.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const endpoint = out[0];
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(err.join('\n')).toContain(`serving Secrets Manager at ${endpoint}; Ctrl-C stops it`);

    const sm = new SecretsManagerClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    try {
      const created = await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: '{"password":"p4ssword"}' }));
      expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:app\/db-/);
      expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString).toBe('{"password":"p4ssword"}');

    } finally {
      sm.destroy();
    }
    stop();
    expect(await exited).toBe(0);
    const after = new SecretsManagerClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    await expect(after.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).rejects.toThrow(/ECONNREFUSED/);
    after.destroy();
  });

  it('exits 2 for a port out of range, and 0 with its help', async () => {
    const err: string[] = [];
    expect(await main(['emulator', '--port', '70000'], { out: () => undefined, err: (t) => err.push(t) })).toBe(2);
    expect(err.join('\n')).toContain('--port must be a whole number from 0 to 65535, got "70000"');
    const out: string[] = [];
    expect(await main(['emulator', '--help'], { out: (t) => out.push(t), err: () => undefined })).toBe(0);
    expect(out.join('\n')).toContain('Usage: secret-rotation emulator [--port N] [--region R]');
  });

  it('exits 2 for a port that is in use, suggesting another one or --port 0', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const err: string[] = [];
      expect(await main(['emulator', '--port', String(port)], { out: () => undefined, err: (t) => err.push(t) })).toBe(2);
      expect(err.join('\n')).toBe(
        `secret-rotation emulator: --port ${port} is in use on 127.0.0.1 (EADDRINUSE); choose another port, or --port 0 for a free one (the endpoint is printed)`,
      );
    } finally {
      await new Promise((resolve) => (taken as Server).close(resolve));
    }
  });
});
