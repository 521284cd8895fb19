import { oneOf, parseOptions } from '../args';
import { toCheckJson } from '../check/check-json';
import { CheckConfig, defaultConfig, FAIL_ON, FailOn, loadConfig } from '../check/config';
import { formatSarif } from '../check/format-sarif';
import { formatText } from '../check/format-text';
import { DEFAULT_WILDCARD_ACTIONS, RULES } from '../check/rules';
import { runChecks } from '../check/run-checks';
import { repositoryRoot } from '../check/sarif-location';
import { lineFinder } from '../check/source-lines';
import { EXIT } from '../errors';
import { Command } from '../io';
import { readSynth } from '../synth/read-synth';

const FORMATS = ['text', 'json', 'sarif'] as const;

export const checkCommand: Command = {
  help: `Usage: secret-rotation check [--dir cdktf.out] [--config rules.json] [--format text|json|sarif] [--fail-on error|warning|note|none]

Reads the synthesized stacks (no Terraform, no AWS) and holds every secret,
its rotation and its rotation function to the rules below. Prints the
findings to stdout; no secret value is ever printed.

Options:
  --dir DIR         the cdktf.out folder to read (default cdktf.out)
  --config FILE     a JSON rules file (see below)
  --format F        text (default): one line per finding, the fixes, a summary;
                    json: stable, schemaVersion 1 (cli/check/check-json.ts);
                    sarif: SARIF 2.1.0 for GitHub code scanning (upload-sarif),
                    paths relative to the repository's root: GITHUB_WORKSPACE,
                    else the nearest folder above --dir with a .git, else the
                    working directory
  --fail-on LEVEL   exit 1 when a finding is at or above LEVEL: error (default),
                    warning, note, or none (never); overrides the rules file
  -h, --help        this text

Rules (id, default level, requirement):
${RULES.map((rule) => `  ${rule.id}  ${rule.level.padEnd(7)}  ${rule.name}: ${rule.summary}`).join('\n')}

SR005 allows "*" for secretsmanager:GetRandomPassword (it acts on no resource)
and, unless allowWildcardActions says otherwise, for the EC2 actions that have
no resource-level permissions and that Lambda needs in a VPC:
${DEFAULT_WILDCARD_ACTIONS.join(', ')}.
It counts as "*" an ARN with a wildcard in its region or account or at the
start of its resource id (arn:aws:secretsmanager:*:*:secret:*, …:secret:*,
…:key/*), unless a condition narrows the statement: a positive match
(StringEquals, ArnLike…; not Not…, Null or …IfExists) on a resource tag
(aws:ResourceTag/…, secretsmanager:ResourceTag/…), kms:ViaService, ec2:Subnet
or ec2:Vpc. It fails a policy it cannot read (an expression such as
\${jsonencode(…)}, or text that is not JSON); SR010 warns of attached managed
policies, which are not in the JSON at all.

Rules file (JSON; every key optional; unknown keys, rule ids or levels are refused):
  maxRotationDays       the longest time between rotations, in days, 1 to 1000
                        (default 90; SR002)
  rules                 a level per rule id, or off: {"SR004": "error", "SR009": "off"}
  allowWildcardActions  actions allowed on "*" besides GetRandomPassword (SR005);
                        replaces the EC2 default ([] allows none)
  failOn                as --fail-on, which wins over it

For GitHub code scanning, write the SARIF to a file and upload it even when
check exits 1 (github/codeql-action/upload-sarif with \`if: always()\`).

Exit codes: 0 nothing at or above --fail-on; 1 a finding at or above it;
2 bad command line; 3 unreadable cdktf.out or rules file.`,

  async run(argv, io) {
    const options = parseOptions('check', argv, {
      dir: { type: 'string' },
      config: { type: 'string' },
      format: { type: 'string' },
      'fail-on': { type: 'string' },
    });
    if (options.help) {
      io.out(checkCommand.help);
      return EXIT.ok;
    }
    const format = oneOf('check', 'format', options.format as string | undefined, FORMATS, 'text');
    const failOn = options['fail-on'] === undefined ? undefined : oneOf<FailOn>('check', 'fail-on', options['fail-on'] as string, FAIL_ON, 'error');
    const dir = (options.dir as string | undefined) ?? 'cdktf.out';

    const fromFile = options.config === undefined ? defaultConfig() : loadConfig(options.config as string);
    const config: CheckConfig = { ...fromFile, failOn: failOn ?? fromFile.failOn };
    const model = readSynth(dir);
    const report = runChecks(model, config, lineFinder(dir));

    if (format === 'text') io.out(formatText(report));
    else io.out(JSON.stringify(format === 'json' ? toCheckJson(report) : formatSarif(report, repositoryRoot(dir)), null, 2));
    return report.failed ? EXIT.failed : EXIT.ok;
  },
};
