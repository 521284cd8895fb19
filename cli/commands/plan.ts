import { oneOf, parseOptions } from '../args';
import { EXIT } from '../errors';
import { Command } from '../io';
import { buildPlan } from '../plan/build-plan';
import { renderMarkdown } from '../plan/render-markdown';
import { stableJson } from '../plan/stable-json';
import { readSynth } from '../synth/read-synth';

const FORMATS = ['markdown', 'json'] as const;

export const planCommand: Command = {
  help: `Usage: secret-rotation plan [--dir cdktf.out] [--base <other cdktf.out>] [--format markdown|json]

Reads synthesized stacks (no Terraform, no AWS) and lists every Secrets
Manager secret: who rotates it (AWS's hosted application and its version,
or a function's handler and code hash), its schedule and window, whether it
rotates as soon as it is deployed, its KMS key, its alarms (a rotation
failure rule, the function's Errors alarm) and the function's permissions.
No secret value is ever read into it or printed.

With --base (the synth of the pull request's base branch), adds what the
pull request changes: secrets added or removed, rotation turned on or off,
another rotator, schedules, handler code, permissions widened or narrowed,
KMS keys, alarms. Secrets are matched by stack and Terraform address.

Options:
  --dir DIR        the cdktf.out folder to read (default cdktf.out)
  --base DIR       a cdktf.out folder to compare with, e.g. the base branch's
  --format FORMAT  markdown (default): a pull-request comment;
                   json: stable and documented (schemaVersion 1, see
                   cli/plan/plan-json.ts), keys and arrays sorted
  -h, --help       this text

Prints the plan to stdout; errors go to stderr.
Exit codes: 0 the plan was printed (whether or not anything changed),
2 bad command line, 3 a folder or file could not be read (missing,
not a cdktf.out, invalid JSON).`,

  async run(argv, io) {
    const options = parseOptions('plan', argv, { dir: { type: 'string' }, base: { type: 'string' }, format: { type: 'string' } });
    if (options.help) {
      io.out(planCommand.help);
      return EXIT.ok;
    }
    const format = oneOf('plan', 'format', options.format as string | undefined, FORMATS, 'markdown');
    const head = readSynth((options.dir as string | undefined) ?? 'cdktf.out');
    const base = options.base !== undefined ? readSynth(options.base as string) : undefined;
    const plan = buildPlan(head, base);
    io.out(format === 'json' ? stableJson(plan) : renderMarkdown(plan).trimEnd());
    return EXIT.ok;
  },
};
