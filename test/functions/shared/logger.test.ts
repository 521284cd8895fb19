import { describeError, Logger, LoggerOptions, REDACTED } from '../../../functions/shared/logger';

function capture(options: Omit<LoggerOptions, 'sink'> = {}) {
  const lines: string[] = [];
  const logger = new Logger({ level: 'debug', ...options, sink: (line) => lines.push(line) });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('Logger', () => {
  it('writes one JSON object per line, with the level, message, context and fields', () => {
    const { logger, lines, parsed } = capture({ context: { handler: 'test-handler' } });
    logger.info('hello', { step: 'createSecret', count: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(parsed()).toEqual([{ level: 'info', message: 'hello', handler: 'test-handler', step: 'createSecret', count: 2 }]);
  });

  it('writes to console.log by default', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      new Logger({ level: 'info' }).info('to the console');
      expect(spy).toHaveBeenCalledWith(JSON.stringify({ level: 'info', message: 'to the console' }));
    } finally {
      spy.mockRestore();
    }
  });

  describe('sensitive keys', () => {
    it.each([
      'password',
      'Password',
      'newPassword',
      'passphrase',
      'secretString',
      'SecretString',
      'clientSecret',
      'apiKey',
      'api_key',
      'x-api-key',
      'Authorization',
      'authorization',
      'credentials',
      'privateKey',
      'private_key',
      'connectionString',
      'connection_string',
      'accessToken',
      'token',
    ])('redacts the value under %s', (key) => {
      const { logger, parsed } = capture();
      logger.info('m', { [key]: 'value-that-must-not-appear' });
      expect(parsed()[0][key]).toBe(REDACTED);
    });

    it('redacts sensitive keys at any depth, in objects and arrays', () => {
      const { logger, lines, parsed } = capture();
      logger.info('m', {
        request: { headers: { Authorization: 'Bearer abc.def' }, body: [{ user: 'u', password: 'pw-1' }, { SecretString: '{"k":1}' }] },
        config: { db: { connection: { connectionString: 'postgres://u:pw-2@h/db' } } },
      });
      expect(parsed()[0]).toEqual({
        level: 'info',
        message: 'm',
        request: { headers: { Authorization: REDACTED }, body: [{ user: 'u', password: REDACTED }, { SecretString: REDACTED }] },
        config: { db: { connection: { connectionString: REDACTED } } },
      });
      for (const secret of ['abc.def', 'pw-1', '"k"', 'pw-2']) expect(lines[0]).not.toContain(secret);
    });

    it('redacts a sensitive key whatever its value holds', () => {
      const { logger, parsed } = capture();
      logger.info('m', { password: { nested: 'x' }, apiKey: 12345, secret: ['a', 'b'], token: null });
      expect(parsed()[0]).toMatchObject({ password: REDACTED, apiKey: REDACTED, secret: REDACTED, token: REDACTED });
    });

    it('leaves an undefined sensitive value out, as it leaves out any undefined value', () => {
      const { logger, parsed } = capture();
      logger.info('m', { password: undefined });
      expect(parsed()[0]).toEqual({ level: 'info', message: 'm' });
    });

    it.each(['ClientRequestToken', 'clientRequestToken', 'client_request_token', 'secretId', 'SecretId', 'secretArn', 'SecretARN', 'secretName', 'versionId', 'step', 'username', 'host'])(
      'keeps %s readable',
      (key) => {
        const { logger, parsed } = capture();
        logger.info('m', { [key]: 'identifier-value' });
        expect(parsed()[0][key]).toBe('identifier-value');
      },
    );

    it('redacts sensitive keys in the context fields too', () => {
      const { logger, parsed } = capture({ context: { apiKey: 'context-key' } });
      logger.info('m');
      expect(parsed()[0].apiKey).toBe(REDACTED);
    });
  });

  describe('registered secrets', () => {
    const SECRET = 'hunter2-s3cr3t';

    it('masks a registered secret inside the message and inside any string field, at any depth', () => {
      const { logger, lines, parsed } = capture();
      logger.redact(SECRET);
      logger.warn(`login with ${SECRET} failed`, { detail: `dsn=postgres://app:${SECRET}@db/app`, list: [[`x${SECRET}x`]] });
      expect(lines[0]).not.toContain(SECRET);
      expect(parsed()[0]).toMatchObject({
        message: `login with ${REDACTED} failed`,
        detail: `dsn=postgres://app:${REDACTED}@db/app`,
        list: [[`x${REDACTED}x`]],
      });
    });

    it('masks a registered secret inside an error message, logged as an error field', () => {
      const { logger, lines, parsed } = capture();
      logger.redact(SECRET);
      const error = Object.assign(new Error(`password "${SECRET}" rejected`), { code: '28P01', password: SECRET });
      logger.error('failed', { error });
      expect(lines[0]).not.toContain(SECRET);
      expect(parsed()[0].error).toEqual({ name: 'Error', message: `password "${REDACTED}" rejected`, code: '28P01' });
    });

    it('masks every occurrence, and several secrets in one string', () => {
      const { logger } = capture();
      logger.redact('first-secret', 'second-secret');
      expect(logger.scrub('first-secret/second-secret/first-secret')).toBe(`${REDACTED}/${REDACTED}/${REDACTED}`);
    });

    it('masks secrets that JSON escapes (quotes, backslashes, control characters) in the written line', () => {
      const { logger, lines, parsed } = capture();
      const tricky = `it's a "pass" \\ word;\t--`;
      logger.redact(tricky);
      logger.info(`using ${tricky}`, { detail: tricky, error: new Error(`bad ${tricky}`) });
      expect(lines[0]).not.toContain(JSON.stringify(tricky).slice(1, -1));
      expect(lines[0]).not.toContain('pass');
      expect(parsed()[0]).toMatchObject({ message: `using ${REDACTED}`, detail: REDACTED, error: { message: `bad ${REDACTED}` } });
    });

    it('masks a secret in the forms SQL escapes it, as a driver may quote a statement back', () => {
      const { logger } = capture();
      logger.redact(`it's \\ "x"`);
      expect(logger.scrub(`SET PASSWORD = 'it''s \\ "x"'`)).toBe(`SET PASSWORD = '${REDACTED}'`);
      expect(logger.scrub(`SET PASSWORD = 'it\\'s \\\\ \\"x\\"'`)).toBe(`SET PASSWORD = '${REDACTED}'`);
      // pg's escapeLiteral: E'…' with quotes and backslashes doubled.
      expect(logger.scrub(`PASSWORD E'it''s \\\\ "x"'`)).toBe(`PASSWORD E'${REDACTED}'`);
    });

    it("masks a password that holds the end of a MySQL excerpt before withholding the excerpt", () => {
      const { logger } = capture();
      const password = "Xy' at line 1 then-the-rest-of-it";
      logger.redact(password);
      const scrubbed = logger.scrub(`error near '${password}' at line 1`);
      expect(scrubbed).not.toContain('the-rest-of-it');
    });

    it('withholds the SQL that a MySQL syntax error quotes, which may hold a piece of a password', () => {
      const { logger } = capture();
      const message = "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near 'Xq3k9' at line 1";
      expect(logger.scrub(message)).toBe(
        'You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near [SQL withheld] at line 1',
      );
    });

    it('masks a longer secret whole when a shorter secret inside it was registered first', () => {
      const { logger } = capture();
      logger.redact('abcd');
      logger.redact('xxabcdyy-longer');
      expect(logger.scrub('value xxabcdyy-longer and abcd')).toBe(`value ${REDACTED} and ${REDACTED}`);
    });

    it('masks a registered secret used as a field name', () => {
      const { logger, lines } = capture();
      logger.redact(SECRET);
      logger.info('m', { [SECRET]: 1 });
      expect(lines[0]).not.toContain(SECRET);
    });

    it('does not register strings shorter than 4 characters, which would garble every line', () => {
      const { logger, parsed } = capture();
      logger.redact('a', 'ab', 'abc', undefined, '');
      logger.info('a cab on abc street');
      expect(parsed()[0].message).toBe('a cab on abc street');
      logger.redact('abcd');
      logger.info('abcd!');
      expect(parsed()[1].message).toBe(`${REDACTED}!`);
    });

    it('leaves text without registered secrets unchanged', () => {
      expect(new Logger({ sink: () => undefined }).scrub('nothing to hide')).toBe('nothing to hide');
    });
  });

  describe('scoped', () => {
    it('writes with the same level, sink and context, masking what the parent masks', () => {
      const { logger, parsed } = capture({ level: 'warn', context: { handler: 'h' } });
      logger.redact('parent-secret-1');
      const scoped = logger.scoped();
      scoped.info('below the level');
      scoped.warn('saw parent-secret-1');
      expect(parsed()).toEqual([{ level: 'warn', message: `saw ${REDACTED}`, handler: 'h' }]);
    });

    it('masks what is registered on it, which the parent and other scoped loggers never hold', () => {
      const { logger, parsed } = capture();
      const first = logger.scoped();
      first.redact('first-invocation-secret');
      first.info('first-invocation-secret');
      const second = logger.scoped();
      second.info('first-invocation-secret');
      logger.info('first-invocation-secret');
      expect(parsed().map((l) => l.message)).toEqual([REDACTED, 'first-invocation-secret', 'first-invocation-secret']);
    });

    it('keeps a subclass and its own methods', () => {
      const lines: string[] = [];
      class Prefixed extends Logger {
        override info(message: string): void {
          super.info(`[prefixed] ${message}`);
        }
      }
      const scoped = new Prefixed({ sink: (line) => lines.push(line) }).scoped();
      scoped.redact('subclass-secret-1');
      scoped.info('saw subclass-secret-1');
      expect(scoped).toBeInstanceOf(Prefixed);
      expect(JSON.parse(lines[0]).message).toBe(`[prefixed] saw ${REDACTED}`);
    });
  });

  describe('levels', () => {
    const ORIGINAL = process.env.LOG_LEVEL;
    afterEach(() => {
      if (ORIGINAL === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = ORIGINAL;
    });

    const writeAll = (logger: Logger) => {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
    };

    it.each([
      ['debug', ['debug', 'info', 'warn', 'error']],
      ['info', ['info', 'warn', 'error']],
      ['warn', ['warn', 'error']],
      ['error', ['error']],
    ] as const)('writes only %s and above', (level, written) => {
      const { logger, parsed } = capture({ level });
      writeAll(logger);
      expect(parsed().map((l) => l.level)).toEqual(written);
    });

    it('defaults to info when LOG_LEVEL is not set', () => {
      delete process.env.LOG_LEVEL;
      const lines: string[] = [];
      writeAll(new Logger({ sink: (line) => lines.push(line) }));
      expect(lines.map((l) => JSON.parse(l).level)).toEqual(['info', 'warn', 'error']);
    });

    it('reads LOG_LEVEL, in any case, when no level is given', () => {
      process.env.LOG_LEVEL = 'DEBUG';
      const lines: string[] = [];
      writeAll(new Logger({ sink: (line) => lines.push(line) }));
      expect(lines).toHaveLength(4);
    });

    it('falls back to info when LOG_LEVEL is not a level', () => {
      process.env.LOG_LEVEL = 'verbose';
      const lines: string[] = [];
      writeAll(new Logger({ sink: (line) => lines.push(line) }));
      expect(lines).toHaveLength(3);
    });

    it('prefers the level option over LOG_LEVEL', () => {
      process.env.LOG_LEVEL = 'debug';
      const lines: string[] = [];
      writeAll(new Logger({ level: 'error', sink: (line) => lines.push(line) }));
      expect(lines).toHaveLength(1);
    });
  });

  it('truncates deeply nested fields instead of walking them', () => {
    const { logger, parsed } = capture();
    logger.info('m', { a: { b: { c: { d: { e: { f: { g: { h: 'deep' } } } } } } } });
    expect(JSON.stringify(parsed()[0])).toContain('[Truncated]');
    expect(JSON.stringify(parsed()[0])).not.toContain('deep');
  });
});

describe('describeError', () => {
  it('keeps the class name, message and string code, and nothing else', () => {
    const error = Object.assign(new TypeError('bad input'), { code: 'E_BAD', password: 'pw', config: { secret: 'x' } });
    expect(describeError(error)).toEqual({ name: 'TypeError', message: 'bad input', code: 'E_BAD' });
  });

  it('leaves out a code that is not a string', () => {
    expect(describeError(Object.assign(new Error('x'), { code: 42 }))).toEqual({ name: 'Error', message: 'x' });
  });

  it('gives only the type of something thrown that is not an Error', () => {
    expect(describeError('a thrown string with hunter2')).toEqual({ name: 'string' });
    expect(describeError({ password: 'pw' })).toEqual({ name: 'object' });
  });
});
