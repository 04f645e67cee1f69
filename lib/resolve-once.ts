/**
 * Each Terraform element is resolved once per synth, and plain data is not resolved at all.
 *
 * cdktf 0.21 resolves every element of a stack twice: `App.synth()` first runs `prepareStack()` on
 * every stack, which resolves each element in preparing mode (to register cross-stack references) and
 * throws the result away, then the synthesizer's `toTerraform()` resolves each element again and the
 * merged tree a third time (node_modules/cdktf/lib/terraform-stack.js `prepareStack`, `toTerraform`).
 * Its resolver also walks plain data node by node, running three regular expressions over every string
 * and every object key. Together that was most of a 50-workspace synth (bench/README.md).
 *
 * {@link resolveEachElementOnce} gives a stack a `prepareStack` that keeps each element's fragment and
 * a `toTerraform` that reuses it, with the same steps and output as cdktf's. A kept fragment is reused
 * only when nothing can have changed the element since: every aspect of the stack is one of ours
 * ({@link declareOverrideOnlyAspect}: they change elements only through `addOverride`), and the element
 * saw no `addOverride` or logical-id change after its fragment was taken. Anything else (a user's
 * aspect, an element added while preparing) is resolved afresh, as cdktf does. A kept fragment is used
 * by one `toTerraform()` only.
 *
 * {@link resolveFast} is cdktf's `resolve` with a fast path: a subtree of plain data (plain objects,
 * arrays, booleans, ordinary numbers and strings that hold no token marker and nothing cdktf's
 * encoded-number pattern could match) is copied as cdktf would return it; everything else goes to
 * cdktf's own resolver at the same path. {@link resolveFunctionArgumentsOnce} makes a Terraform
 * function resolve each argument value once. `__tests__/resolve-once.test.ts` compares all three with
 * cdktf's own synthesis for every shipped and example stack.
 */
import { IConstruct } from "constructs";
import {
  Aspects,
  IAspect,
  DefaultTokenResolver,
  IResolveContext,
  ITokenResolver,
  StringConcat,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
} from "cdktf";
// Deep imports of cdktf internals (0.21.0): the resolver that takes a path prefix, and the merge its toTerraform uses.
import { resolve as cdktfResolve } from "cdktf/lib/tokens/private/resolve";
import { deepMerge } from "cdktf/lib/util";
import { call } from "cdktf/lib/tfExpression";

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Options of {@link resolveFast}, as cdktf's `Tokenization.resolve` takes them. */
export interface ResolveOptions {
  /** The construct tokens are resolved in (a stack, or a construct in it). */
  readonly scope: IConstruct;
  /**
   * Preparing mode: registers cross-stack references (what `prepareStack` does).
   * @default false
   */
  readonly preparing?: boolean;
  /**
   * The token resolver.
   * @default a DefaultTokenResolver with StringConcat, as cdktf's own synthesis uses
   */
  readonly resolver?: ITokenResolver;
}

// cdktf's encoded-number pattern (tokens/private/encoding.js NUMBER_TOKEN_REGEX, `[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)`):
// a string it could match is left to cdktf. The token markers all contain "TfToken[" (encoding.js).
const NUMBER_PATTERN = /[-|\d.+]e[-|\d.eE+]/;
const plainString = (s: string) => !s.includes("TfToken[") && !NUMBER_PATTERN.test(s);
// Encoded number tokens are doubles around ±1e289 and beyond (encoding.js createTokenDouble); NaN is left to cdktf too.
const plainNumber = (n: number) => Math.abs(n) < 1e250;
// cdktf gives up past this depth (resolve.js, "unable to resolve circular reference"): past it, cdktf decides.
const MAX_DEPTH = 200;

/**
 * One step of cdktf's resolve (tokens/private/resolve.js) for plain data: a plain value is returned as
 * is, a plain array or object is rebuilt from `child(value, key)` of each element (dropping undefined, as
 * cdktf does), and anything cdktf treats specially (a token marker, a list or map token, an object with
 * a `resolve` method, a class instance) goes to `other`, whole.
 */
function resolvePlain(x: unknown, other: (x: unknown) => unknown, child: (x: unknown, key: string) => unknown): unknown {
  switch (typeof x) {
    case "undefined":
    case "boolean":
      return x;
    case "string":
      return plainString(x) ? x : other(x);
    case "number":
      return plainNumber(x) ? x : other(x);
    case "object":
      break;
    default:
      return other(x);
  }
  if (x === null) return null;
  if (Array.isArray(x)) {
    // A list token element ("#{TfToken[...]}", or a number that may encode one) makes cdktf resolve the
    // whole list as one (resolve.js containsStringListTokenElement): leave it to cdktf.
    if (x.some((e) => (typeof e === "string" && e.includes("#{TfToken[")) || (typeof e === "number" && !plainNumber(e)))) return other(x);
    const out: unknown[] = [];
    for (let i = 0; i < x.length; i++) {
      const v = child(x[i], `${i}`);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(x);
  // Tokens, constructs, dates and other class instances, a map token key, a `resolve` method: cdktf decides.
  if ((proto !== Object.prototype && proto !== null) || typeof (x as { resolve?: unknown }).resolve === "function") return other(x);
  const keys = Object.keys(x);
  if (keys.some((k) => !plainString(k))) return other(x);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = child((x as Record<string, unknown>)[k], k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * cdktf's `Tokenization.resolve(obj, options)`, with a fast path for plain data: the same result, the
 * same errors (anything not plain is resolved by cdktf at the same path).
 */
export function resolveFast(obj: unknown, options: ResolveOptions): any {
  const full = { scope: options.scope, preparing: options.preparing ?? false, resolver: options.resolver ?? RESOLVER };
  const prefix: string[] = [];
  const delegate = (x: unknown) => cdktfResolve(x, { ...full, prefix: [...prefix] });
  const walk = (x: unknown): unknown =>
    prefix.length >= MAX_DEPTH
      ? delegate(x)
      : resolvePlain(x, delegate, (v, key) => {
          prefix.push(key);
          try {
            return walk(v);
          } finally {
            prefix.pop();
          }
        });
  return walk(obj);
}

/** FunctionCall.prototype (cdktf 0.21 tfExpression.js; the class is not exported), and its own resolve. */
const functionCall = Object.getPrototypeOf(call("jsonencode", [])) as { resolve(context: IResolveContext): unknown };
const cdktfFunctionCallResolve = functionCall.resolve;

/**
 * cdktf's FunctionCall (`Fn.jsonencode(...)` and every other Terraform function) serializes its
 * arguments level by level, and resolves each level's whole subtree again at every level
 * (tfExpression.js `resolveArg`, `resolveExpressionPart`): the dashboard body (modules/dashboard.ts)
 * alone was a fifth of a 50-workspace synth. With this on, the function's resolve context remembers
 * what it resolved, and resolves a plain array or object from its remembered elements, so each value
 * is resolved once; the serialization itself is cdktf's. Within one call the context's settings do
 * not change while arguments are resolved, so a remembered value is the value cdktf would resolve
 * again. One difference: a `Lazy` in the arguments is produced once per function call, not once per
 * nesting level, so its value must not depend on how often it runs. `false` restores cdktf's method.
 */
export function resolveFunctionArgumentsOnce(enabled = true): void {
  functionCall.resolve = !enabled
    ? cdktfFunctionCallResolve
    : function (this: unknown, context: IResolveContext) {
        const own = context.resolve;
        const seen = new Map<unknown, unknown>();
        let depth = 0;
        const once = (x: unknown): unknown => {
          if (seen.has(x)) return seen.get(x);
          if (depth >= MAX_DEPTH) return own(x);
          depth++;
          try {
            const r = resolvePlain(x, own, once);
            seen.set(x, r);
            return r;
          } finally {
            depth--;
          }
        };
        (context as { resolve(x: unknown): unknown }).resolve = once;
        try {
          return cdktfFunctionCallResolve.call(this, context);
        } finally {
          (context as { resolve(x: unknown): unknown }).resolve = own;
        }
      };
}

/** Aspects that change elements only through `addOverride` (which {@link resolveEachElementOnce} sees). */
const overrideOnlyAspects = new WeakSet<IAspect>();

/**
 * Declares that `aspect` changes Terraform elements only through `addOverride`, `overrideLogicalId` or
 * `resetOverrideLogicalId`, so a stack whose aspects are all declared may reuse prepared fragments.
 */
export function declareOverrideOnlyAspect<T extends IAspect>(aspect: T): T {
  overrideOnlyAspects.add(aspect);
  return aspect;
}

/** Each element's fragment as its stack's preparing resolve produced it, until changed or used. */
const prepared = new WeakMap<TerraformElement, unknown>();

/** The Terraform elements of `scope`'s stack, not of nested stacks (cdktf 0.21 terraform-stack.js `terraformElements`). */
export function elementsOf(scope: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(scope)) into.push(scope);
  for (const child of scope.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, into);
  return into;
}

/**
 * The fragment `prepareStack` resolved for `element`, while it is still what `toTerraform` would
 * produce (see the module comment); undefined otherwise.
 */
export function preparedFragment(element: TerraformElement): unknown {
  return prepared.get(element);
}

/** Whether every aspect on `stack`, its ancestors and its constructs is declared override-only. */
function onlyOverrideAspects(stack: TerraformStack): boolean {
  for (let c: IConstruct | undefined = stack; c; c = c.node.scope) {
    if (Aspects.of(c).all.some((a) => !overrideOnlyAspects.has(a))) return false;
  }
  const visit = (c: IConstruct): boolean =>
    c.node.children.every((child) => TerraformStack.isStack(child) || (Aspects.of(child).all.every((a) => overrideOnlyAspects.has(a)) && visit(child)));
  return visit(stack);
}

/** Methods after which an element's kept fragment is stale. */
const CHANGES = ["addOverride", "overrideLogicalId", "resetOverrideLogicalId"] as const;

/** Keeps `element`'s fragment, dropped by any of {@link CHANGES} on it. */
function keep(element: TerraformElement, fragment: unknown): void {
  prepared.set(element, fragment);
  const target = element as unknown as Record<(typeof CHANGES)[number], (...args: unknown[]) => unknown>;
  for (const method of CHANGES) {
    if (Object.prototype.hasOwnProperty.call(target, method)) continue;
    const original = target[method];
    target[method] = function (this: unknown, ...args: unknown[]) {
      prepared.delete(element);
      return original.apply(this, args);
    };
  }
}

/** The stack's TypeScript-private members that cdktf's own `prepareStack` and `toTerraform` use. */
interface StackInternals {
  ensureBackendExists(): void;
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: string;
}

/**
 * Gives `stack` a `prepareStack` that keeps each element's resolved fragment and a `toTerraform` that
 * reuses it when nothing can have changed it (see the module comment). Output is cdktf 0.21's.
 */
export function resolveEachElementOnce(stack: TerraformStack): void {
  const internals = stack as unknown as StackInternals;
  stack.prepareStack = () => {
    internals.ensureBackendExists();
    // The same resolve as cdktf's prepareStack (it may add elements, e.g. for cross-stack references), kept.
    for (const e of elementsOf(stack)) keep(e, resolveFast(e.toTerraform(), { scope: stack, preparing: true }));
  };
  stack.toTerraform = () => {
    const reuse = onlyOverrideAspects(stack);
    const resolve = (x: unknown) => resolveFast(x, { scope: stack });
    // From here on, cdktf 0.21 terraform-stack.js toTerraform(), step by step.
    const tf: Record<string, any> = {};
    const metadata: Record<string, unknown> = {
      version: internals.cdktfVersion,
      stackName: stack.node.id,
      backend: "local",
      cloud: undefined,
      ...(Object.keys(internals.rawOverrides).length > 0 ? { overrides: { stack: Object.keys(internals.rawOverrides) } } : {}),
    };
    const elements = elementsOf(stack);
    for (const meta of elements.map((e) => resolve(e.toMetadata()))) deepMerge(metadata, meta);
    const outputs = elements.reduce((carry: Record<string, unknown>, item) => {
      if (!TerraformOutput.isTerraformOutput(item)) return carry;
      deepMerge(
        carry,
        item.node.path.split("/").reduceRight((inner: Record<string, unknown>, part) => (Object.keys(inner).length === 0 ? { [part]: item.friendlyUniqueId } : { [part]: inner }), {}),
      );
      return carry;
    }, {});
    tf["//"] = { metadata, outputs };
    for (const e of elements) {
      const kept = reuse ? prepared.get(e) : undefined;
      prepared.delete(e);
      deepMerge(tf, kept !== undefined ? kept : resolve(e.toTerraform()));
    }
    deepMerge(tf, internals.rawOverrides);
    return resolve(tf);
  };
}
