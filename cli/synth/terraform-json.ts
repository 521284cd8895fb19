/**
 * One stack's cdk.tf.json, indexed: resources and data sources by address,
 * and the references between them read from `${type.name.attr}`
 * expressions. Nothing here evaluates an expression; values that Terraform
 * computes stay text.
 */

export type Body = Record<string, unknown>;

export interface Block {
  /** `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly body: Body;
}

// A Terraform reference inside an interpolation: `type.name` or `data.type.name`,
// where a resource type is `<provider>_<kind>` (so `aws.secretsmanager` in a
// string literal is not one). Whether it names a block is checked against the stack.
const REFERENCE = /(?<![\w.-])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g;

export class TerraformJson {
  private readonly blocks = new Map<string, Block>();

  constructor(readonly json: Body) {
    for (const [kind, prefix] of [
      ['resource', ''],
      ['data', 'data.'],
    ] as const) {
      for (const [type, byName] of Object.entries(asBody(json[kind]))) {
        for (const [name, raw] of Object.entries(asBody(byName))) {
          // Terraform JSON allows a block to be a list of bodies; cdktf writes one object.
          const body = Array.isArray(raw) ? (Object.assign({}, ...raw.filter(isBody)) as Body) : asBody(raw);
          const address = `${prefix}${type}.${name}`;
          this.blocks.set(address, { address, type, name, body });
        }
      }
    }
  }

  /** Every resource (not data source) of `type`, sorted by address. */
  resources(type: string): Block[] {
    return [...this.blocks.values()].filter((b) => b.type === type && !b.address.startsWith('data.')).sort(byAddress);
  }

  /** Every resource (not data source) of the stack, sorted by address. */
  allResources(): Block[] {
    return [...this.blocks.values()].filter((b) => !b.address.startsWith('data.')).sort(byAddress);
  }

  /** Resources of any of `types`, sorted by address. */
  resourcesOf(types: readonly string[]): Block[] {
    return types.flatMap((type) => this.resources(type)).sort(byAddress);
  }

  block(address: string): Block | undefined {
    return this.blocks.get(address);
  }

  /** The blocks of this stack that `value` refers to, in order of appearance, without repeats. */
  references(value: unknown): Block[] {
    const found: Block[] = [];
    for (const text of strings(value)) {
      for (const expression of interpolations(text)) {
        for (const match of expression.matchAll(REFERENCE)) {
          const block = this.blocks.get(`${match[1] ?? ''}${match[2]}.${match[3]}`);
          if (block && !found.includes(block)) found.push(block);
        }
      }
    }
    return found;
  }

  /** The first block of one of `types` that `value` refers to. */
  referenceTo(value: unknown, ...types: string[]): Block | undefined {
    return this.references(value).find((b) => types.includes(b.type));
  }

  /** Whether `value` refers to `block` (through any attribute). */
  refersTo(value: unknown, block: Block): boolean {
    return this.references(value).includes(block);
  }

  /** The variables (`var.x`) that `value` refers to. */
  variables(value: unknown): string[] {
    return strings(value).flatMap((text) => interpolations(text).flatMap((e) => [...e.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g)].map((m) => m[1])));
  }
}

/** The `${…}` parts of a string (the whole of each, nested braces included). */
export function interpolations(text: string): string[] {
  const found: string[] = [];
  let start = text.indexOf('${');
  while (start >= 0) {
    let depth = 0;
    let end = start + 1;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    found.push(text.slice(start + 2, end));
    start = text.indexOf('${', end);
  }
  return found;
}

/**
 * An ARN that cdktf builds from another resource's ARN, made readable:
 * `${element(split(":", x.arn), 3)}` is that resource's region. For people
 * only (the markdown plan, check's messages); the JSON keeps the expressions.
 */
export function readableArn(text: string): string {
  const parts: Record<string, string> = { '1': '{partition}', '3': '{region}', '4': '{account}' };
  return text.replace(/\$\{element\(split\(":", [\w.-]+\.arn\), ([134])\)\}/g, (_, index: string) => parts[index]);
}

/** Whether a value is (or holds) a Terraform expression rather than a literal. */
export const isExpression = (value: unknown): boolean => strings(value).some((text) => text.includes('${'));

/** Every string inside a JSON value. */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isBody(value)) return Object.values(value).flatMap(strings);
  return [];
}

export const isBody = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);
export const asBody = (value: unknown): Body => (isBody(value) ? value : {});

/** Repeated blocks (`statement`, `replica`): one object or a list of them. */
export const bodies = (value: unknown): Body[] => (Array.isArray(value) ? value.filter(isBody) : isBody(value) ? [value] : []);

/** A nested block (`rotation_rules`, `vpc_config`): Terraform JSON allows one object or a list of them. */
export const nested = (value: unknown): Body | undefined => (Array.isArray(value) ? value.find(isBody) : isBody(value) ? value : undefined);

/** A string attribute, as written; numbers and booleans as text. */
export const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

/** A list attribute as strings; a single expression (`${var.subnet_ids}`) is a list of one. */
export const textList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(text).filter((v): v is string => v !== undefined) : typeof value === 'string' ? [value] : [];

/** A boolean attribute, with Terraform's default when absent; `"true"`/`"false"` count. */
export function flag(value: unknown, fallback: boolean): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fallback;
}

/** The construct path cdktf records in `//.metadata.path`. */
export const constructPath = (block: Block): string | undefined => text(asBody(asBody(block.body['//']).metadata).path);

export const byAddress = (a: { address: string }, b: { address: string }) => compare(a.address, b.address);

/** Locale-independent string order, for output that is the same on every machine. */
export const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort(compare);
