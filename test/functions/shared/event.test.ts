import { InvalidEventError } from '../../../functions/shared/errors';
import { parseRotationEvent, quote, ROTATION_STEPS } from '../../../functions/shared/event';

const VALID = { Step: 'createSecret', SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf', ClientRequestToken: 'token-1' };

function eventError(event: unknown): InvalidEventError {
  try {
    parseRotationEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).name).toBe('InvalidEventError');
    return error as InvalidEventError;
  }
  throw new Error('expected parseRotationEvent to throw');
}

describe('parseRotationEvent', () => {
  it.each(ROTATION_STEPS)('accepts the %s step', (Step) => {
    expect(parseRotationEvent({ ...VALID, Step })).toEqual({ ...VALID, Step });
  });

  it('keeps only the three rotation fields', () => {
    expect(parseRotationEvent({ ...VALID, RotationToken: 'x', extra: { password: 'p' } })).toEqual(VALID);
  });

  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    ['createSecret', 'string'],
    [42, 'number'],
    [true, 'boolean'],
  ])('fails when the event is %j, not an object', (event, type) => {
    expect(eventError(event).message).toBe(`expected a Secrets Manager rotation event object, got ${type}`);
  });

  it.each(['Step', 'SecretId', 'ClientRequestToken'])('fails when the event has no %s', (field) => {
    const event: Record<string, unknown> = { ...VALID };
    delete event[field];
    expect(eventError(event).message).toBe(`the rotation event has no ${field}; Secrets Manager sends { Step, SecretId, ClientRequestToken }`);
  });

  it.each([
    ['an empty string', ''],
    ['a number', 7],
    ['an object', { id: 'x' }],
    ['null', null],
  ])('fails when ClientRequestToken is %s', (_what, value) => {
    expect(eventError({ ...VALID, ClientRequestToken: value }).message).toMatch(/^the rotation event has no ClientRequestToken;/);
  });

  it('fails when the event is an empty array, naming the first missing field', () => {
    expect(eventError([]).message).toMatch(/^the rotation event has no Step;/);
  });

  it('fails on an unknown step, naming it and the valid steps', () => {
    expect(eventError({ ...VALID, Step: 'rollbackSecret' }).message).toBe(
      'unknown rotation step "rollbackSecret"; expected one of createSecret, setSecret, testSecret, finishSecret',
    );
  });

  it('fails on a step in the wrong case, since Secrets Manager sends exact names', () => {
    expect(eventError({ ...VALID, Step: 'CreateSecret' }).message).toMatch(/^unknown rotation step "CreateSecret"/);
  });

  it('fails on an over-long step, quoting only its first 64 characters', () => {
    const step = `${'x'.repeat(64)}${'y'.repeat(100_000)}`;
    const message = eventError({ ...VALID, Step: step }).message;
    expect(message).toBe(`unknown rotation step "${'x'.repeat(64)}..."; expected one of createSecret, setSecret, testSecret, finishSecret`);
  });

  it('fails on a step holding quotes and newlines, escaping them in the message', () => {
    const message = eventError({ ...VALID, Step: 'a"b\nc' }).message;
    expect(message).toContain('"a\\"b\\nc"');
    expect(message).not.toContain('\n');
  });
});

describe('quote', () => {
  it('quotes a short value whole', () => {
    expect(quote('abc')).toBe('"abc"');
  });

  it('keeps a value of exactly 64 characters whole', () => {
    expect(quote('z'.repeat(64))).toBe(`"${'z'.repeat(64)}"`);
  });

  it('cuts a longer value to 64 characters and marks the cut', () => {
    expect(quote('z'.repeat(65))).toBe(`"${'z'.repeat(64)}..."`);
  });
});
