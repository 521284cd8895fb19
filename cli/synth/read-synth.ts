import { statSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../errors';
import { readJsonFile } from './json-file';
import { StackModel, SynthModel } from './model';
import { readFunctions } from './read-functions';
import { readDatabases, readExposedValues, readFailureRules } from './read-guards';
import { readSecrets } from './read-secrets';
import { asBody, compare, isBody, TerraformJson, text } from './terraform-json';

const RESYNTH = 'run `cdktf synth` (or `npm run synth`) first, or give the path of a cdktf.out folder';

/**
 * Reads a synthesized app (a cdktf.out folder: manifest.json and each
 * stack's cdk.tf.json) into the model that `plan` and `check` work on.
 * Reads files only; never copies a secret value. Throws an inputError (exit
 * 3) that names the file and what is wrong with it.
 */
export function readSynth(dir: string): SynthModel {
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    throw inputError(`no folder ${dir}: ${RESYNTH}`);
  }
  if (!isFolder) throw inputError(`${dir} is a file, not a cdktf.out folder: ${RESYNTH}`);

  const manifestPath = join(dir, 'manifest.json');
  const manifest = readJsonFile(manifestPath, `${dir} does not look like a cdktf.out folder: ${RESYNTH}`);
  if (!isBody(manifest) || !isBody(manifest.stacks)) {
    throw inputError(`${manifestPath} has no "stacks" object: it is not a cdktf manifest; ${RESYNTH}`);
  }
  const stacks = Object.entries(manifest.stacks)
    .map(([key, entry]) => readStack(dir, key, entry))
    .sort((a, b) => compare(a.name, b.name));
  return { dir, stacks };
}

function readStack(dir: string, key: string, entry: unknown): StackModel {
  const name = text(asBody(entry).name) ?? key;
  const file = (text(asBody(entry).synthesizedStackPath) ?? `stacks/${key}/cdk.tf.json`).replace(/\\/g, '/');
  const path = join(dir, file);
  const json = readJsonFile(path, `manifest.json lists the stack "${name}" there; ${RESYNTH}`);
  if (!isBody(json)) throw inputError(`${path} is not a Terraform JSON configuration (an object with "resource", "data"…); ${RESYNTH}`);
  for (const section of ['resource', 'data', 'variable']) {
    if (json[section] !== undefined && !isBody(json[section])) {
      throw inputError(`${path}: "${section}" must be an object of blocks by type, got ${Array.isArray(json[section]) ? 'a list' : typeof json[section]}; ${RESYNTH}`);
    }
  }
  const tf = new TerraformJson(json);
  return {
    name,
    file,
    secrets: readSecrets(tf),
    functions: readFunctions(tf),
    failureRules: readFailureRules(tf),
    databases: readDatabases(tf),
    exposedValues: readExposedValues(tf),
  };
}
