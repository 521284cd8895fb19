import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
  SecretsManagerClientConfig,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { parseOptions } from '../args';
import { CliError, EXIT, usageError } from '../errors';
import { Command } from '../io';

const RISK = `Rolling back is safe only when the target still accepts the previous
credential: with the alternating-users (multi-user) strategy, where the
previous version is the other user, whose password the last rotation did not
touch; or with an API key that was not revoked yet. With a single-user
database secret the last rotation CHANGED that user's password, so the
previous version's password may no longer work on the database: rolling back
would then lock out everything that reads AWSCURRENT. In that case set the
database password back to the previous value first, or fix forward instead.`;

export const rollbackCommand: Command = {
  help: `Usage: secret-rotation rollback --secret-id <id> [--endpoint URL] [--region R] [--yes]

Restores a secret's previous version (what AWS's guide calls restoring the
previous version): moves AWSCURRENT to the version labelled AWSPREVIOUS, which
in turn gives AWSPREVIOUS to the version that was current, so running rollback
again undoes it. Shows what will move (version ids and creation dates, never a
value) and asks before moving anything.

${RISK}

It refuses while a rotation is in progress (AWSPENDING on a version other than
AWSCURRENT): let the rotation finish or fail first. It looks again after you
answer, and moves nothing if any label moved meanwhile (a rotation that
started while it asked, say). Rollback does not turn
rotation off; if the rotation function is broken, the next scheduled rotation
fails again (and leaves AWSPENDING): fix it, or cancel rotation.

Options:
  --secret-id ID   the secret's name or ARN (required)
  --endpoint URL   Secrets Manager endpoint, e.g. a VPC endpoint or the local
                   emulator (default: the SDK's own for the region). For an
                   endpoint on this machine (127.0.0.1, localhost), dummy
                   credentials are used when AWS_ACCESS_KEY_ID is not set
  --region R       AWS region (default AWS_REGION, or the SDK's configuration;
                   us-east-1 with --endpoint)
  --yes            do not ask; needed where there is no terminal (CI)
  -h, --help       this text

Needs secretsmanager:DescribeSecret, ListSecretVersionIds and
UpdateSecretVersionStage on the secret; it never reads a value.

Exit codes: 0 rolled back; 1 not rolled back (declined, no terminal to ask and
no --yes, no AWSPREVIOUS, a rotation in progress, labels that moved while it
asked); 2 bad command line;
4 Secrets Manager refused or could not be reached.`,

  async run(argv, io) {
    const options = parseOptions('rollback', argv, {
      'secret-id': { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      yes: { type: 'boolean' },
    });
    if (options.help) {
      io.out(rollbackCommand.help);
      return EXIT.ok;
    }
    const secretId = options['secret-id'];
    if (typeof secretId !== 'string' || secretId === '') throw usageError('--secret-id is required; see `secret-rotation rollback --help`');
    const sm = new SecretsManagerClient(clientConfig(options.endpoint as string | undefined, options.region as string | undefined));
    try {
      const described = await call(sm.send(new DescribeSecretCommand({ SecretId: secretId })));
      const name = described.Name ?? secretId;
      const arn = described.ARN ?? secretId;
      const shown = described.VersionIdsToStages ?? {};
      const holder = (stage: string) => holderOf(shown, stage);
      const current = holder('AWSCURRENT');
      const previous = holder('AWSPREVIOUS');
      const pending = holder('AWSPENDING');
      if (!current || !previous || previous === current) {
        io.err(
          `secret-rotation rollback: ${name} has no version labelled AWSPREVIOUS${previous === current && previous ? ' apart from AWSCURRENT' : ''}, so there is nothing to roll back to: it has never been rotated or updated, or that label was removed. Nothing changed.`,
        );
        return EXIT.failed;
      }
      if (pending && pending !== current) {
        io.err(
          `secret-rotation rollback: a rotation of ${name} is in progress (AWSPENDING is on version ${pending}); moving AWSCURRENT now could race its finishSecret. Let it finish or fail (see the rotation function's logs); after a failed rotation, remove the label (aws secretsmanager update-secret-version-stage --secret-id ${JSON.stringify(arn)} --version-stage AWSPENDING --remove-from-version-id ${pending}) and run rollback again. Nothing changed.`,
        );
        return EXIT.failed;
      }

      const created = await creationDates(sm, arn, [current, previous]);
      io.out(
        [
          `Secret: ${name} (${arn})`,
          `AWSCURRENT moves from version ${current} (created ${created.get(current) ?? 'unknown'})`,
          `                   to version ${previous} (created ${created.get(previous) ?? 'unknown'}), which is AWSPREVIOUS now;`,
          `version ${current} becomes AWSPREVIOUS, so running rollback again undoes this.`,
          ...(pending === current
            ? [`AWSPENDING, which the last rotation left on version ${current}, is removed: left there, the next rotation would find it on a version that is not current and refuse to start.`]
            : []),
          '',
          `WARNING: ${RISK}`,
        ].join('\n'),
      );
      if (!options.yes) {
        if (!io.confirm) {
          io.err('secret-rotation rollback: there is no terminal to ask for confirmation; pass --yes to roll back without asking. Nothing changed.');
          return EXIT.failed;
        }
        if (!(await io.confirm(`Move AWSCURRENT of ${name} to version ${previous}?`))) {
          io.err('secret-rotation rollback: not confirmed. Nothing changed.');
          return EXIT.failed;
        }
      }
      // What was shown may be stale by now (a person takes their time to
      // answer): a rotation that started meanwhile put AWSPENDING on a new
      // version, which no RemoveFromVersionId below would notice.
      const changed = stageChanges(shown, (await call(sm.send(new DescribeSecretCommand({ SecretId: arn })))).VersionIdsToStages ?? {});
      if (changed.length) {
        io.err(
          `secret-rotation rollback: the labels of ${name} changed ${options.yes ? 'since rollback read them' : 'while rollback asked'}: ${changed.join('; ')}. A rotation may have started, or someone else moved them. Nothing changed; run rollback again to see where the labels are now.`,
        );
        return EXIT.failed;
      }
      // RemoveFromVersionId makes each move conditional: if another process
      // moved the label since DescribeSecret, Secrets Manager refuses it. The
      // stale AWSPENDING goes first: removing it alone changes nothing that matters.
      if (pending === current) {
        await call(sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: current })));
      }
      await call(sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: previous, RemoveFromVersionId: current })));
      io.out(`Rolled back: AWSCURRENT of ${name} is on version ${previous}; version ${current} is AWSPREVIOUS.`);
      return EXIT.ok;
    } finally {
      sm.destroy();
    }
  },
};

/** The client: --endpoint and --region, with dummy credentials for a local endpoint (the emulator) when none are set. */
function clientConfig(endpoint: string | undefined, region: string | undefined): SecretsManagerClientConfig {
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw usageError(`--endpoint must be a URL such as https://secretsmanager.eu-west-1.amazonaws.com or http://127.0.0.1:4566, got ${JSON.stringify(endpoint)}`);
    }
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return {
      endpoint,
      region: region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    };
  }
  const chosen = region ?? process.env.AWS_REGION;
  return chosen ? { region: chosen } : {};
}

type Stages = Record<string, string[] | undefined>;

/** The version that holds `stage`, if any. */
function holderOf(stages: Stages, stage: string): string | undefined {
  return Object.entries(stages).find(([, labels]) => labels?.includes(stage))?.[0];
}

/** Each label that is on another version (or on none, or newly on one) in `now` than in `before`, in words. */
function stageChanges(before: Stages, now: Stages): string[] {
  const labels = [...new Set([...Object.values(before), ...Object.values(now)].flatMap((l) => l ?? []))].sort();
  const on = (version: string | undefined) => (version ? `on version ${version}` : 'on no version');
  return labels.filter((label) => holderOf(before, label) !== holderOf(now, label)).map((label) => `${label} was ${on(holderOf(before, label))} and is now ${on(holderOf(now, label))}`);
}

/** The versions' creation dates (ISO 8601), from ListSecretVersionIds, which returns no values. */
async function creationDates(sm: SecretsManagerClient, arn: string, ids: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await call(sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, ...(nextToken ? { NextToken: nextToken } : {}) })));
    for (const version of page.Versions ?? []) {
      if (version.VersionId && ids.includes(version.VersionId) && version.CreatedDate) found.set(version.VersionId, version.CreatedDate.toISOString());
    }
    nextToken = page.NextToken;
  } while (nextToken && found.size < ids.length);
  return found;
}

/** A Secrets Manager call whose failure is a one-line service error (exit 4): the SDK error's name and message, no stack. */
async function call<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const hint = /region/i.test(e.message ?? '') ? '; pass --region or set AWS_REGION' : '';
    throw new CliError(`Secrets Manager: ${e.name ?? 'Error'}: ${e.message ?? String(error)}${hint}`, EXIT.service);
  }
}
