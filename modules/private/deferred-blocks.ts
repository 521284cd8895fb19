import { Construct, IConstruct } from 'constructs';
import {
  Aspects,
  CloudBackend,
  DefaultTokenResolver,
  dependable,
  IAspect,
  ImportableResource,
  IResolvable,
  IResolveContext,
  ITerraformDependable,
  StringConcat,
  TerraformBackend,
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformModule,
  TerraformOutput,
  TerraformProvider,
  TerraformRemoteState,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Tokenization,
} from 'cdktf';
import { logicalIdsUnder } from './logical-ids';
import { writesHcl } from './secret-policies';

/**
 * Set this context key to `true` (`"context": {"cdktf-secret-rotation:eagerSecrets": true}`
 * in cdktf.json, or `new App({ context })`) to build every RotatedSecret's
 * resources as constructs when it is created, as releases before 0.2.0 did.
 */
export const EAGER_SECRETS_CONTEXT = 'cdktf-secret-rotation:eagerSecrets';

/** Terraform JSON resource blocks: by resource type, then by logical id. */
export type ResourceBlocks = Record<string, Record<string, Record<string, unknown>>>;

/** A construct whose resources a DeferredBlocks element writes, until it builds them as constructs. */
export interface DeferredConstruct extends IConstruct {
  /**
   * Adds its blocks to `into`, each exactly as the provider's resource class
   * would write it (attributes in Terraform's names, `//` metadata included).
   */
  writeBlocks(into: ResourceBlocks, blocks: DeferredBlocks): void;
  /**
   * The addresses (`<type>.<logical id>`) its blocks may have (one it does
   * not write may be listed: that only builds it).
   */
  addresses(blocks: DeferredBlocks): string[];
  /** The tokens its blocks hold: references to resources of the same stack only. */
  tokens(blocks: DeferredBlocks): string[];
  /** Builds its resources as constructs, after which it writes nothing here. */
  build(): void;
}

const ID = 'cdktf-secret-rotation.DeferredBlocks';

/**
 * Writes the resource blocks of the stack's deferred constructs (RotatedSecret)
 * at synth time, from one element.
 *
 * Why: cdktf spends most of a large synth on each resource class instance
 * (the tokens it makes, each capturing a stack trace, and three passes of
 * token resolution per element); a stack of 1,000 secrets has 5,000 of them.
 * A secret whose props hold no Terraform expression is written here instead,
 * with the same addresses and the same JSON as its resource classes would give.
 *
 * Nothing a user relies on is lost: a deferred construct builds its resources
 * as constructs, and stops being written here, as soon as any of them is
 * asked for (its properties: `resource`, `encryptionKey`, …, so `addOverride`
 * works as before), and all of them are built before Aspects run when the
 * stack has any Aspect, so Aspects visit every resource. Only code that walks
 * `node.children` looking for them without either finds them missing: set
 * EAGER_SECRETS_CONTEXT for that.
 */
export class DeferredBlocks extends TerraformElement {
  /** The stack's element, created on first use. */
  static of(stack: TerraformStack): DeferredBlocks {
    return (stack.node.tryFindChild(ID) as DeferredBlocks | undefined) ?? new DeferredBlocks(stack);
  }

  /**
   * Whether constructs in `scope` may be deferred: JSON output (cdktf's HCL
   * writer needs its own forms), the stack's default logical ids (a stack
   * that names its resources itself must see each one), no Aspect yet on the
   * stack or above it (it would visit the stack before this element could
   * build anything for it), and not switched off with EAGER_SECRETS_CONTEXT.
   */
  static canDefer(scope: Construct): boolean {
    if (writesHcl(scope) || scope.node.tryGetContext(EAGER_SECRETS_CONTEXT) === true) return false;
    const stack = TerraformStack.of(scope);
    const own = stack.node.tryFindChild(ID) as DeferredBlocks | undefined;
    if (stack.node.scopes.some((c) => Aspects.of(c).all.some((aspect) => aspect !== own?.aspect))) return false;
    const methods = stack as unknown as Record<string, unknown>;
    const base = TerraformStack.prototype as unknown as Record<string, unknown>;
    return methods.allocateLogicalId === base.allocateLogicalId && methods.getLogicalId === base.getLogicalId;
  }

  private readonly pending = new Set<DeferredConstruct>();
  private readonly dependencies = new Map<ITerraformDependable, string>();
  private resolvedTokens?: Map<string, string>;
  private readonly stack: TerraformStack;
  private readonly aspect: IAspect;
  /** The stack has listed its elements for a synth that has not written these blocks yet: building now would lose a construct's resources. */
  private synthesizing = false;

  private constructor(stack: TerraformStack) {
    super(stack, ID);
    this.stack = stack;
    this.aspect = {
      // Aspects visit the stack before its children, at the start of every
      // synth (app.synth(), Testing.synth): building the deferred constructs
      // here puts their resources in the tree that Aspects walk, and in the
      // place where cdktf merges blocks of one logical id.
      visit: (node) => {
        if (node !== stack || this.live().length === 0) return;
        if (hasOtherAspects(stack, this.aspect)) this.buildAll();
        else this.buildSharingAddresses();
      },
    };
    Aspects.of(stack).add(this.aspect);
    // On the stack, where cdktf reports its own check.
    stack.node.addValidation({ validate: () => this.missingProvider() });
  }

  add(construct: DeferredConstruct): void {
    this.pending.add(construct);
  }

  /** `construct` builds its resources as constructs: it is no longer written here. */
  remove(construct: DeferredConstruct): void {
    if (this.synthesizing && this.pending.has(construct)) {
      // cdktf listed the stack's elements before resolving them: constructs
      // made now would be in neither that list nor these blocks. (Or a synth
      // failed while writing the stack out, in this same tick: the element
      // cannot tell the two apart until the next one.)
      throw new Error(
        `${construct.node.path} was asked for one of its resources while its stack was being written out; ask for it before app.synth() or Testing.synth(), e.g. where the secret is created (after a synth that failed, ask from a later tick, e.g. after an await, or with a new App)`,
      );
    }
    this.pending.delete(construct);
  }

  /** Builds every deferred construct of the stack as constructs. */
  buildAll(): void {
    for (const construct of [...this.pending]) construct.build();
  }

  /**
   * Builds as constructs the deferred constructs with a block at an address
   * (type and logical id) that another element writes too: a resource given
   * one of their logical ids with `overrideLogicalId`, or another deferred
   * construct (cdktf's logical ids leave out ids such as `Default`, so
   * `S` and `Default/S` have the same). cdktf merges such blocks in the
   * order of the tree, which only constructs keep. All of them when an
   * element of the stack may write blocks of any type.
   */
  private buildSharingAddresses(): void {
    const shared = this.typesWrittenElsewhere();
    if (shared === 'any') return this.buildAll();
    const taken = this.addressesOfOthers(shared);
    const owners = new Map<string, DeferredConstruct>();
    const sharing = new Set<DeferredConstruct>();
    for (const construct of this.live()) {
      for (const address of construct.addresses(this)) {
        const owner = owners.get(address);
        if (owner) sharing.add(owner).add(construct);
        else owners.set(address, construct);
        if (taken.has(address)) sharing.add(construct);
      }
    }
    for (const construct of sharing) construct.build();
  }

  /** The addresses of the blocks that the stack's resource classes write, of `types`. */
  private addressesOfOthers(types: ReadonlySet<string>): Set<string> {
    const taken = new Set<string>();
    if (types.size === 0) return taken;
    for (const node of elementsOf(this.stack)) {
      if (node !== this && TerraformResource.isTerraformResource(node) && types.has(node.terraformResourceType)) {
        taken.add(`${node.terraformResourceType}.${node.friendlyUniqueId}`);
      }
    }
    return taken;
  }

  /**
   * The logical ids that the stack would give resources under `scope`
   * (TerraformStack.allocateLogicalId, which canDefer checks is not
   * overridden), its path worked out once.
   */
  logicalIds(scope: IConstruct): (...ids: string[]) => string {
    const scopes = scope.node.scopes;
    const under = logicalIdsUnder(scopes.slice(scopes.indexOf(this.stack) + 1).map((c) => c.node.id));
    return (...ids) => under(ids);
  }

  /** A `depends_on` entry for `target`, as cdktf writes it: one token per target, shared by every block. */
  dependency(target: ITerraformDependable): string {
    let token = this.dependencies.get(target);
    if (token === undefined) {
      token = dependable(target);
      this.dependencies.set(target, token);
    }
    return token;
  }

  /**
   * The stack asks every element for its metadata right after listing its
   * elements, before it writes any: from here until write(), a construct
   * that built its resources would be in neither that list nor these blocks.
   */
  override toMetadata(): Record<string, unknown> {
    this.synthesizing = this.pending.size > 0;
    // A synth is synchronous: should it fail before write(), the flag must
    // not outlive it.
    if (this.synthesizing) queueMicrotask(() => (this.synthesizing = false));
    return {};
  }

  override toTerraform(): Record<string, unknown> {
    if (this.live().length === 0) {
      this.synthesizing = false;
      return {};
    }
    const resource: IResolvable = { creationStack: [], resolve: (context) => this.produce(context), toString: () => ID };
    return { resource };
  }

  /**
   * The value of `resource` in this element's JSON, as cdktf resolves it:
   * - while preparing (cdktf resolves every element once, to find references
   *   to other stacks), only the tokens the blocks hold, all references to
   *   resources of this stack;
   * - otherwise the blocks, handed over so that cdktf's two passes of token
   *   resolution over the stack's configuration (each element's, then the
   *   whole stack's) do not visit their values: writeBlocks() leaves nothing
   *   in them to resolve (RotatedSecret defers only secrets whose props and
   *   path hold no token). The element's pass gets each resource type's
   *   blocks as one token (Written), which the stack's pass turns into the
   *   blocks. A type that another element of the stack writes too is given
   *   as plain values, as any element's, for cdktf to merge the two; so is
   *   every type when the stack has raw overrides (`stack.addOverride`,
   *   merged into the configuration after the elements) or an element that
   *   may write any type.
   */
  private produce(context: IResolveContext): unknown {
    if (context.preparing) return [...new Set(this.live().flatMap((c) => c.tokens(this)))];
    const blocks = this.write();
    const overrides = (this.stack as unknown as { rawOverrides?: object }).rawOverrides;
    if (overrides === undefined || Object.keys(overrides).length > 0) return blocks;
    const shared = this.typesWrittenElsewhere();
    if (shared === 'any') return blocks;
    const taken = this.addressesOfOthers(shared);
    const handed: Record<string, unknown> = {};
    for (const [type, byId] of Object.entries(blocks)) {
      if (!shared.has(type)) {
        handed[type] = new Written(byId);
        continue;
      }
      // A type that another element writes too: cdktf merges the two
      // elements' blocks of the type, so each block is a token of its own;
      // one at another element's address (only when no Aspect ran, as with
      // stack.toTerraform(): buildSharingAddresses built those) is a plain
      // value, for cdktf to merge.
      const each: Record<string, unknown> = {};
      for (const [id, body] of Object.entries(byId)) each[id] = taken.has(`${type}.${id}`) ? body : new Written(body);
      handed[type] = each;
    }
    // Taken as it is: the Written tokens are for the stack's pass.
    context.registerPostProcessor({ postProcess: () => handed });
    return undefined;
  }

  /**
   * The resource types that other elements of the stack write, or 'any' when
   * one of them may write resources of any type: an element whose JSON comes
   * from a method other than that of one of cdktf's kinds (a subclass that
   * writes blocks of its own, or a kind cdktf does not define).
   */
  private typesWrittenElsewhere(): Set<string> | 'any' {
    const types = new Set<string>();
    for (const node of elementsOf(this.stack)) {
      if (node === this) continue;
      const method = node.toTerraform;
      if (method === TerraformResource.prototype.toTerraform) types.add((node as TerraformResource).terraformResourceType);
      else if (!resourcelessMethods().has(method)) return 'any';
    }
    return types;
  }

  override toHclTerraform(): Record<string, unknown> {
    this.synthesizing = false;
    const [first] = this.live();
    if (!first) return {};
    throw new Error(
      `${first.node.path} was written for JSON output; to synthesize HCL, create the App with hclOutput: true (cdktf synth --hcl does), before the secrets`,
    );
  }

  /**
   * `token` (a reference to a resource of this stack) resolved as cdktf would
   * resolve it here, once per synth: blocks that hold the resolved text leave
   * cdktf nothing to look up in each of them.
   */
  resolved(token: string): string {
    let text = this.resolvedTokens?.get(token);
    if (text === undefined) {
      text = Tokenization.resolve(token, { scope: this.stack, resolver: new DefaultTokenResolver(new StringConcat()) }) as string;
      this.resolvedTokens?.set(token, text);
    }
    return text;
  }

  private write(): ResourceBlocks {
    const blocks: ResourceBlocks = {};
    this.resolvedTokens = new Map();
    try {
      for (const construct of this.live()) construct.writeBlocks(blocks, this);
    } finally {
      this.resolvedTokens = undefined;
      this.synthesizing = false;
    }
    return blocks;
  }

  /** The deferred constructs still in the tree (one removed with `node.tryRemoveChild` writes nothing). */
  private live(): DeferredConstruct[] {
    return [...this.pending].filter((construct) => {
      const scopes = construct.node.scopes;
      return scopes.every((c, i) => i === 0 || scopes[i - 1].node.tryFindChild(c.node.id) === c);
    });
  }

  /** cdktf's own provider check sees only resource classes: the same check for the deferred ones. */
  private missingProvider(): string[] {
    if (this.live().length === 0) return [];
    const nodes = this.stack.node.findAll();
    const isAws = (c: IConstruct) => (c as TerraformResource).terraformGeneratorMetadata?.providerName === 'aws';
    if (nodes.some((c) => TerraformProvider.isTerraformProvider(c) && isAws(c))) return [];
    // cdktf reports the missing provider itself for its own classes' resources.
    if (nodes.some((c) => (TerraformResource.isTerraformResource(c) || TerraformDataSource.isTerraformDataSource(c)) && isAws(c))) return [];
    return [
      `Found resources without a matching provider construct. Please make sure to add provider constructs [e.g. new RandomProvider(...)] to your stack '${this.stack.node.id}' for the following providers: aws`,
    ];
  }
}

/** The toTerraform methods of cdktf's kinds of element that write no `resource` blocks. */
let resourceless: Set<unknown> | undefined;
function resourcelessMethods(): Set<unknown> {
  resourceless ??= new Set(
    [
      TerraformDataSource,
      TerraformProvider,
      TerraformOutput,
      TerraformLocal,
      TerraformVariable,
      TerraformBackend,
      CloudBackend,
      TerraformModule,
      TerraformRemoteState,
      ImportableResource,
    ].map((kind) => kind.prototype.toTerraform),
  );
  return resourceless;
}

/**
 * A value that cdktf's resolver takes as it is, without visiting it: resolving
 * the token gives `undefined`, then the post-processor that it registers
 * gives the value. Only for values that hold nothing to resolve.
 */
class Written implements IResolvable {
  readonly creationStack: string[] = [];

  constructor(private readonly value: unknown) {}

  resolve(context: IResolveContext): undefined {
    context.registerPostProcessor({ postProcess: () => this.value });
    return undefined;
  }

  toString(): string {
    return 'cdktf-secret-rotation.Written';
  }
}

/** The stack's elements, as cdktf lists them (not those of a stack inside it, which is written on its own). */
function elementsOf(stack: TerraformStack): TerraformElement[] {
  const found: TerraformElement[] = [];
  const visit = (node: IConstruct) => {
    if (TerraformElement.isTerraformElement(node)) found.push(node);
    for (const child of node.node.children) if (!TerraformStack.isStack(child)) visit(child);
  };
  visit(stack);
  return found;
}

/** Whether an Aspect other than `self` is on the stack, in it, or above it (an outer stack's visit the inner one). */
function hasOtherAspects(stack: TerraformStack, self: IAspect): boolean {
  return [...stack.node.scopes, ...stack.node.findAll()].some((c) => Aspects.of(c).all.some((aspect) => aspect !== self));
}

/**
 * A resource block as cdktf writes it: the `//` metadata (the construct path
 * and the logical id), then `body` without its undefined values, at any
 * depth, as cdktf's resolve leaves it (cdktf merges blocks of one address,
 * and an undefined value there would delete the other block's).
 */
export function resourceBlock(path: string, uniqueId: string, body: Record<string, unknown>): Record<string, unknown> {
  return { '//': { metadata: { path, uniqueId } }, ...(definedOnly(body) as Record<string, unknown>) };
}

/**
 * Merges `source` into the block `target` as cdktf merges two elements'
 * blocks of one address (util.deepMerge): objects key by key, lists joined,
 * anything else replaced. For blocks that only a synth without Aspects (a
 * direct stack.toTerraform()) leaves sharing an address.
 */
export function mergeBlock(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (Array.isArray(value)) target[key] = Array.isArray(current) ? [...current, ...value] : value;
    else if (value !== null && typeof value === 'object') {
      target[key] = mergeBlock(current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>) : {}, value as Record<string, unknown>);
    } else target[key] = value;
  }
  return target;
}

function definedOnly(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(definedOnly);
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = definedOnly(item);
  }
  return out;
}
