import Ajv, { ValidateFunction } from 'ajv';

/**
 * A validator for SARIF 2.1.0 logs, from the schema that
 * @microsoft/jest-sarif ships (the OASIS rtm.5 schema). The schema is
 * draft-04, which Ajv 8 reads once its `$schema` and `id` are set aside: it
 * uses no keyword whose meaning changed since (no boolean exclusiveMinimum,
 * no dependencies). Its formats are checked here
 * rather than with ajv-formats, which the project does not install.
 */
export function sarifValidator(): ValidateFunction {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { $schema, id, ...schema } = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  // unicodeRegExp off: one of the schema's patterns (a language tag's) is not valid with the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  const isUrl = (text: string, base?: string) => {
    if (/[\s\\]/.test(text)) return false;
    try {
      new URL(text, base);
      return true;
    } catch {
      return false;
    }
  };
  ajv.addFormat('uri', (text: string) => isUrl(text));
  ajv.addFormat('uri-reference', (text: string) => isUrl(text, 'file:///repository/'));
  ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
  return ajv.compile(schema);
}

/** The validator's errors, one per line, for a failing assertion's message. */
export const schemaErrors = (validate: ValidateFunction) => (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');
