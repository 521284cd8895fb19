import { oneOf, parseOptions } from '../args';
import { usageError, EXIT } from '../errors';
import { Command } from '../io';
import { chooseHandler, HandlerChoice, handlerBundle } from '../rehearse/handlers';
import { Masker, parseEnv, readSecretObject, readSecretText } from '../rehearse/inputs';
import { alternateUser, Keeping, plannedChange, requireKeeping } from '../rehearse/keeping';
import { OutputFile, OutputFileError } from '../rehearse/output-file';
import { rehearse, RehearsalResult, StoredValue } from '../rehearse/rehearsal';
import { credentialWhereabouts, keyChanges, NewValue, RehearsalReport, targetState, textReport } from '../rehearse/report';

const WARNING =
  'WARNING: rehearse really rotates the target named in the secret (e.g. it changes a database password): use a staging target, and keep the new value with --output';

export const rehearseCommand: Command = {
  help: `Usage: secret-rotation rehearse --handler <name|entry> --secret <file.json>
                               (--output <file> | --discard) [options]

Runs the four rotation steps (createSecret, setSecret, testSecret,
finishSecret) on this machine, with a local emulator standing in for Secrets
Manager, against the REAL target that the secret names (e.g. a staging
database): it proves that a handler and a credential work together before the
change is deployed. It never prints a secret value.

WARNING: rehearse really rotates the target named in the secret: setSecret
changes the password on that database (or the API issues a new key). Use a
staging target, never production. Before the first step it says which user or
credential it is about to change. The new value is made in this run's
emulator, which stops when the command ends, so unless you keep it:
  - a single-user handler (postgres-, mysql-, redshift-single-user) leaves the
    user with a password that neither your file nor the real secret has;
  - a multi-user handler (postgres-, mysql-, redshift-multi-user) leaves the
    alternate user with a password nobody has: <username>_clone, or <name>
    when the file's username is <name>_clone (a file taken after an odd
    number of rotations). The user in your file keeps working, but once the
    real secret has been rotated the alternate user is the one its
    AWSPREVIOUS holds: clients still using AWSPREVIOUS stop logging in;
  - http-api-key has the API issue a new key nobody stores (and may revoke the
    old one, as the secret's gracePeriodSeconds says);
  - your own handler may do any of these: rehearse cannot tell what it changes.
So rehearse refuses to run, whatever the handler, without one of:
  --output FILE   a new file (mode 0600; never an existing one) that gets the
                  new value as soon as createSecret makes it, before setSecret
                  can change the target, and the final value at the end: a
                  JSON object as JSON, any other text exactly as stored. If
                  the new value cannot be saved there, rehearse stops before
                  setSecret. Put it into the real secret right after
                  (put-secret-value --secret-string file://FILE)
  --discard       accept that the new value is lost; reset the credential on
                  the target yourself afterwards

Handler:
  --handler NAME        a built-in handler: postgres-single-user,
                        postgres-multi-user, mysql-single-user, mysql-multi-user,
                        redshift-single-user, redshift-multi-user or http-api-key
                        (dist/functions/<name>/index.js: run \`npm run build\` first)
  --handler PATH        your own handler's entry file (.ts or .js exporting
                        handler), bundled with esbuild as RotationFunction does

Options:
  --secret FILE         the secret's value, a JSON object (required)
  --master-secret FILE  the master secret's value (required by the multi-user
                        handlers); the secret's masterarn is rewritten to the
                        emulator's copy of it, and the output keeps your masterarn
  --admin-secret FILE   the admin credential (required by http-api-key):
                        {"apiKey": "…"} or the bare credential; adminSecretArn is
                        rewritten the same way
  --env KEY=VALUE       the handler's environment, repeatable (PASSWORD_LENGTH,
                        EXCLUDE_CHARACTERS, DB_TLS_MODE, ALLOWED_HOSTS, …). Like
                        Lambda, the handler sees only these, the emulator's
                        endpoint (SECRETS_MANAGER_ENDPOINT), AWS_REGION
                        (default us-east-1) and dummy AWS credentials
  --output FILE         see above; masterarn and adminSecretArn as in --secret
  --discard             see above
  --format text|json    the summary on stdout (default text)
  --verbose             also print the handler's own log lines to stderr, after
                        masking every string value of the secrets involved
                        (but engine, host, port, dbname, username, ARNs, keyId)
                        and every value the handler stored, whole: JSON or
                        not. Strings under 4 characters within a JSON value
                        are not masked (they would garble every line); a whole
                        value that short is, where it stands alone
  -h, --help            this text

Each step, its time and its result go to stderr as they happen; the summary
goes to stdout: the steps, which keys of the secret changed (names only), what
state the target is in, and where the new value is. The JSON summary is
{handler, secretFile, ok, problem?, steps: [{step, result: "ok"|"failed"|"not run",
ms?, error?: {name, message}}], keys?: {changed, unchanged, added, removed},
target, newCredential, output}. Ctrl-C stops the rotation before its next
step: the step that is running finishes, so the target is not left half changed.

Exit codes: 0 all four steps succeeded and AWSCURRENT moved to the new value;
1 a step failed, or the handler did not load (the summary says what state the
target is in); 2 bad command line (including neither --output nor --discard); 3 a file is missing or not valid JSON, or the handler is
unknown or not built; 4 the local emulator failed.`,

  async run(argv, io) {
    const options = parseOptions('rehearse', argv, {
      handler: { type: 'string' },
      secret: { type: 'string' },
      'master-secret': { type: 'string' },
      'admin-secret': { type: 'string' },
      env: { type: 'string', multiple: true },
      output: { type: 'string' },
      discard: { type: 'boolean' },
      format: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    if (options.help) {
      io.out(rehearseCommand.help);
      return EXIT.ok;
    }
    const format = oneOf('rehearse', 'format', options.format as string | undefined, ['text', 'json'] as const, 'text');
    for (const required of ['handler', 'secret'] as const) {
      if (typeof options[required] !== 'string') throw usageError(`--${required} is required; see \`secret-rotation rehearse --help\``);
    }
    const env = parseEnv((options.env as unknown as string[] | undefined) ?? []);
    if (options.output !== undefined && options.discard) throw usageError('--output and --discard contradict each other: keep the new value, or say it may be lost, not both');

    const handler = await chooseHandler(options.handler as string);
    const secretFile = options.secret as string;
    const secret = readSecretObject('secret', secretFile);
    const keeping = requireKeeping(handler, secret.value, options.output as string | undefined, options.discard === true);
    const master = options['master-secret'] === undefined ? undefined : readSecretObject('master-secret', options['master-secret'] as string);
    const admin = options['admin-secret'] === undefined ? undefined : readSecretText('admin-secret', options['admin-secret'] as string);
    requireCompanions(handler, master !== undefined, admin !== undefined);
    const bundleFile = await handlerBundle(handler);

    const masker = new Masker();
    for (const value of [secret.value, master?.value, parseJson(admin)]) masker.add(value);
    for (const text of [secret.text, master?.text, admin]) if (text !== undefined) masker.addWhole(text);
    const output = keeping.kind === 'output' ? OutputFile.create(keeping.file) : undefined;
    io.err(`secret-rotation rehearse: ${WARNING}`);
    io.err(`secret-rotation rehearse: ${masker.mask(plannedChange(handler, secret.value))}`);
    let notSaved: string | undefined;
    let result: RehearsalResult;
    try {
      result = await rehearse({
        bundleFile,
        secret: secret.value,
        ...(master ? { masterSecret: JSON.stringify(master.value) } : {}),
        ...(admin !== undefined ? { adminSecret: admin } : {}),
        env,
        progress: (line) => io.err(`secret-rotation rehearse: ${masker.mask(line)}`),
        learn: (text) => masker.addWhole(text),
        // Before setSecret can change the target: a value that cannot be saved stops the rotation here.
        onPending: (value) => {
          if (!output) return;
          try {
            output.write(fileText(value, secret.value));
          } catch (error) {
            notSaved = (error as Error).message;
            throw new OutputFileError(`the new value (AWSPENDING) was not saved: ${notSaved}`);
          }
        },
        ...(io.interrupted ? { interrupted: io.interrupted } : {}),
      });
    } finally {
      output?.removeIfEmpty();
    }

    const ok = !result.loadError && result.steps.every((s) => s.result === 'ok') && result.currentMoved;
    const newValue = settleOutput(handler, result, ok, secret.value, output, notSaved);
    const report = buildReport({ handler, secretFile, result, keeping, output, masker, ok, newValue });
    if (options.verbose) for (const line of result.logLines) io.err(`  handler: ${masker.mask(line)}`);
    io.out(format === 'json' ? JSON.stringify(report, null, 2) : textReport(report));
    return report.ok ? EXIT.ok : EXIT.failed;
  },
};

/**
 * Settles --output once the rotation is over: the final value written after
 * a finished rotation; the file removed when what it holds can be of no use
 * (the target never saw it). Says what became of the new value.
 */
function settleOutput(
  handler: HandlerChoice,
  result: RehearsalResult,
  ok: boolean,
  secret: Record<string, unknown>,
  output: OutputFile | undefined,
  notSaved: string | undefined,
): NewValue {
  const ran = (step: string) => result.steps.some((s) => s.step === step && s.result !== 'not run');
  // A database never saw a value made before setSecret ran: keeping it would only mislead.
  const reach = ok || ran('setSecret') ? 'target' : (handler.kind === 'api-key' || handler.kind === 'entry') && ran('createSecret') ? 'issued' : 'nowhere';
  const stored = (ok ? result.after : result.pending) !== undefined;
  let saveError = notSaved;
  if (ok && output) {
    try {
      const text = fileText(result.after, secret);
      // A version never changes, so AWSCURRENT is normally what was written already, byte for byte.
      if (text !== output.text) output.write(text);
    } catch (error) {
      saveError = (error as Error).message;
    }
  }
  if (!stored || reach === 'nowhere') output?.remove();
  const alternate = handler.kind === 'multi-user' ? alternateUser(secret) : undefined;
  return {
    kind: handler.kind,
    ok,
    stored,
    reach,
    written: output?.hasValue ?? false,
    ...(saveError !== undefined ? { saveError } : {}),
    ...(alternate ? { alternate } : {}),
  };
}

/**
 * What --output gets for a stored value: a JSON object with the ARN keys as
 * --secret had them; any other text exactly as stored, as put-secret-value
 * --secret-string file:// reads it back. Throws when there is nothing to write.
 */
function fileText(value: StoredValue | undefined, secret: Record<string, unknown>): string {
  if (value?.object) return `${JSON.stringify(restore(value.object, restorable(secret)), null, 2)}\n`;
  if (value?.text !== undefined) return value.text;
  throw new OutputFileError(value ? 'it is a SecretBinary, which rehearse does not write to --output' : 'the handler stored none');
}

/** The master and admin secrets go with the handlers that use them, and only with those. */
function requireCompanions(handler: HandlerChoice, hasMaster: boolean, hasAdmin: boolean): void {
  if (!handler.builtIn) return;
  if (handler.kind === 'multi-user' && !hasMaster) {
    throw usageError(`${handler.label} logs in with the master secret (masterarn) to set the alternate user's password: pass --master-secret <file> holding its value`);
  }
  if (handler.kind === 'api-key' && !hasAdmin) {
    throw usageError('http-api-key asks the API for keys with the admin credential (adminSecretArn): pass --admin-secret <file> holding it');
  }
  if (handler.kind !== 'multi-user' && hasMaster) throw usageError(`--master-secret is for the multi-user handlers; ${handler.label} does not use one`);
  if (handler.kind !== 'api-key' && hasAdmin) throw usageError(`--admin-secret is for http-api-key; ${handler.label} does not use one`);
}

/** Keys the emulator's ARNs replace in the stored secret, with the values the file had (undefined: absent). */
function restorable(secret: Record<string, unknown>): Record<string, unknown> {
  return { masterarn: secret.masterarn, adminSecretArn: secret.adminSecretArn };
}

/** A new value as the file should hold it: ARN keys back to what --secret had, not the emulator's. */
function restore(value: Record<string, unknown>, original: Record<string, unknown>): Record<string, unknown> {
  const out = { ...value };
  for (const [key, was] of Object.entries(original)) {
    if (was === undefined) delete out[key];
    else out[key] = was;
  }
  return out;
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The summary, every message masked. */
function buildReport(r: {
  handler: HandlerChoice;
  secretFile: string;
  result: RehearsalResult;
  keeping: Keeping;
  output: OutputFile | undefined;
  masker: Masker;
  ok: boolean;
  newValue: NewValue;
}): RehearsalReport {
  const { handler, result, output, masker, ok } = r;
  const allOk = result.steps.every((s) => s.result === 'ok');
  const problem =
    result.loadError ??
    (result.notKept !== undefined ? `${result.notKept}, so rehearse stopped before setSecret, which never ran` : undefined) ??
    (result.stoppedBefore ? `stopped by the user (Ctrl-C) before ${result.stoppedBefore}` : undefined) ??
    (allOk && !result.currentMoved ? 'all four steps reported success, but AWSCURRENT did not move to the new version: finishSecret did not finish the rotation' : undefined);
  return {
    handler: handler.label,
    secretFile: r.secretFile,
    ok,
    ...(problem ? { problem: masker.mask(problem) } : {}),
    steps: result.steps.map((s) => (s.error ? { ...s, error: { name: s.error.name, message: masker.mask(s.error.message) } } : s)),
    ...(ok && result.after?.object ? { keys: keyChanges(result.before, result.after.object) } : {}),
    target: targetState(handler.kind, result, ok),
    newCredential: masker.mask(credentialWhereabouts(r.keeping, r.newValue)),
    output: output?.hasValue ? output.path : null,
  };
}
