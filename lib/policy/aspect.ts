/**
 * The rule pack as a cdktf Aspect. cdktf invokes aspects per stack at the start of each stack's
 * synthesis, before that stack is written; the first time the aspect runs in an app it checks every
 * stack of the app, so a violation anywhere stops `app.synth()` before any stack file is written.
 * It also writes each suppression into the synthesized JSON (for `npm run policy`) and prints one
 * summary line; the suppressions themselves go to the report files ({@link writePolicyOutputs} in
 * ./outputs) and, with `verbose`, to the log.
 */
import { IConstruct } from "constructs";
import {
  Aspects,
  DefaultTokenResolver,
  IAspect,
  StringConcat,
  TerraformDataSource,
  TerraformElement,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from "cdktf";
import { evaluate, Evaluation, EvaluationInput, failures, suppressed } from "./engine";
import { configResources, suppressionJson, SUPPRESSIONS_KEY } from "./load";
import { RULES_BY_ID } from "./rules";
import { suppressionsOf } from "./suppress";
import { Finding, PolicyResource, PolicySuppression } from "./types";

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Thrown when the app violates rules; lists every violation with construct path, rule and fix. */
export class PolicyViolationError extends Error {
  constructor(readonly evaluation: Evaluation) {
    super(formatViolations(evaluation));
    this.name = "PolicyViolationError";
  }
}

type Element = TerraformResource | TerraformDataSource;
const isElement = (c: IConstruct): c is Element => c instanceof TerraformResource || c instanceof TerraformDataSource;

/** Terraform address of a resource or data source construct. */
export function addressOf(e: Element): string {
  return `${e instanceof TerraformDataSource ? "data." : ""}${e.terraformResourceType}.${e.friendlyUniqueId}`;
}

/** Each element's fragment as its stack's preparing resolve produced it ({@link keepPreparedFragments}); used once. */
const preparedFragments = new WeakMap<TerraformElement, unknown>();

/** The Terraform elements of `stack`, not of nested stacks (cdktf 0.21 terraform-stack.js `terraformElements`). */
function elementsOf(scope: IConstruct, stack: TerraformStack, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(scope)) into.push(scope);
  for (const child of scope.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, stack, into);
  return into;
}

/**
 * cdktf's `App.synth()` first calls `prepareStack()` on every stack, which resolves every element (in
 * preparing mode, to find cross-stack references) and throws the result away (cdktf 0.21
 * terraform-stack.js `prepareStack`); the rule pack then resolved every resource again, a third full
 * resolution of each stack after the synthesizer's own (a fifth of a 50-workspace synth). This gives
 * `stack` a `prepareStack` that takes the same steps (ensure a backend; resolve each element, preparing)
 * and keeps each element's fragment for {@link stackInput}. The fragments are those of the final synth:
 * a preparing resolve differs only in registering cross-stack references, and a cross-stack `Reference`
 * resolves to the same identifier either way (tfExpression.js `Reference.resolve`); between prepare and
 * the policy aspect no resource changes (the only other aspect, lib/default-tags.ts, edits providers).
 */
function keepPreparedFragments(stack: TerraformStack): void {
  // TypeScript-private in cdktf, called exactly as TerraformStack.prepareStack calls it.
  const withBackend = stack as unknown as { ensureBackendExists(): void };
  stack.prepareStack = () => {
    withBackend.ensureBackendExists();
    for (const e of elementsOf(stack, stack)) {
      preparedFragments.set(e, Tokenization.resolve(e.toTerraform(), { scope: stack, preparing: true, resolver: RESOLVER }));
    }
  };
}

/** A stack's resources as the rules see them: each element's resolved `toTerraform()` fragment. */
export function stackInput(stack: TerraformStack): EvaluationInput & { elements: Map<string, Element> } {
  const elements = new Map<string, Element>();
  const resources: PolicyResource[] = [];
  const suppressions = new Map<string, PolicySuppression[]>();
  for (const c of elementsOf(stack, stack)) {
    if (!isElement(c)) continue;
    let fragment = preparedFragments.get(c);
    if (fragment === undefined) fragment = Tokenization.resolve(c.toTerraform(), { scope: stack, preparing: false, resolver: RESOLVER });
    // Once: a later check of the same tree (after changes) resolves afresh.
    preparedFragments.delete(c);
    for (const r of configResources(fragment as Parameters<typeof configResources>[0])) resources.push(r);
    const address = addressOf(c);
    elements.set(address, c);
    const s = suppressionsOf(c);
    if (s.length > 0) suppressions.set(address, s);
  }
  return { source: stack.node.id, resources, suppressions, elements };
}

/** Evaluates every stack under `root` (an App, or a stack). */
export function checkConstructTree(root: IConstruct): Evaluation & { inputs: ReturnType<typeof stackInput>[] } {
  const stacks = root.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  const inputs = stacks.map(stackInput);
  return { ...evaluate(inputs), inputs };
}

/**
 * Writes suppressions into the synthesized JSON, per resource and as a root map per stack, for
 * `npm run policy`. No scanner reads `"//"` entries; their files are generated by ./outputs.
 */
function emitSuppressions(inputs: ReturnType<typeof stackInput>[]): void {
  for (const input of inputs) {
    const rootMap: Record<string, ReturnType<typeof suppressionJson>[]> = {};
    for (const [address, list] of input.suppressions) {
      const entries = list.map(suppressionJson);
      rootMap[address] = entries;
      const element = input.elements.get(address);
      if (element instanceof TerraformResource) element.addOverride(`//.${SUPPRESSIONS_KEY}`, entries);
    }
    const stack = [...input.elements.values()][0] ? TerraformStack.of([...input.elements.values()][0]) : undefined;
    if (stack && Object.keys(rootMap).length > 0) stack.addOverride(`//.${SUPPRESSIONS_KEY}`, rootMap);
  }
}

const where = (f: Finding) => `${f.resource.constructPath ?? f.source} (${f.resource.address})`;

/** The violation report thrown by the aspect. */
export function formatViolations(e: Evaluation): string {
  const lines: string[] = [];
  const fails = failures(e);
  if (fails.length > 0) {
    lines.push(`Policy check failed: ${fails.length} violation(s); no stack was written.`);
    for (const f of fails) {
      lines.push(`  ${f.rule.id} [${f.rule.severity}] ${where(f)}: ${f.rule.title}: ${f.message}`);
      lines.push(`      fix: ${f.rule.fix}`);
    }
    lines.push('  To accept a finding deliberately: suppress(construct, "<rule ID>", "<reason>") from lib/policy (see docs/policy.md).');
  }
  for (const u of e.unknownSuppressions) lines.push(`  unknown rule ${u.ruleId} suppressed on ${u.source} ${u.address} ("${u.reason}")`);
  for (const x of e.expiredSuppressions) lines.push(`  expired suppression ${x.ruleId} on ${x.source} ${x.address}: ended ${x.expires}${x.owner ? ` (owner: ${x.owner})` : ""}; fix the finding or renew it`);
  return lines.join("\n");
}

/** Options of {@link PolicyAspect}. */
export interface PolicyAspectOptions {
  /**
   * Where the summary line (and, with `verbose`, one line per suppression) goes.
   * @default console.log
   */
  readonly log?: (line: string) => void;
  /**
   * Also log every suppression with its reason (`ZENML_VERBOSE=1` for `npm run synth`).
   * @default false
   */
  readonly verbose?: boolean;
  /**
   * Where the summary line says the suppressions are listed.
   * @default "the policy report files (npm run policy)"
   */
  readonly reportHint?: string;
}

/** What the aspect found, per app (for {@link policyResultOf}). */
export type PolicyResult = ReturnType<typeof checkConstructTree>;

const results = new WeakMap<IConstruct, PolicyResult>();

/** The result of the policy check of `app`, once it has been synthesized (undefined before). */
export const policyResultOf = (app: IConstruct): PolicyResult | undefined => results.get(app.node.root);

/**
 * Runs the rule pack during synth. Add it to every stack with {@link applyPolicies}; the first
 * invocation checks the whole app and throws {@link PolicyViolationError} before anything is written.
 */
export class PolicyAspect implements IAspect {
  constructor(private readonly options: PolicyAspectOptions = {}) {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const root = node.node.root;
    if (results.has(root)) return;
    const result = checkConstructTree(root);
    results.set(root, result);
    if (failures(result).length > 0 || result.unknownSuppressions.length > 0) throw new PolicyViolationError(result);
    emitSuppressions(result.inputs);
    const log = this.options.log ?? ((line: string) => console.log(line));
    const accepted = suppressed(result);
    const where = this.options.reportHint ?? "the policy report files (npm run policy)";
    log(`policy: ${RULES_BY_ID.size} rules, ${result.findings.length} checks, 0 violations, ${accepted.length} suppressed (listed in ${where})`);
    if (this.options.verbose) {
      const seen = new Set<string>();
      for (const f of accepted) {
        const k = `${f.source}\u0000${f.resource.address}\u0000${f.rule.id}`;
        if (seen.has(k)) continue;
        seen.add(k);
        log(`  suppressed ${f.rule.id} on ${f.resource.constructPath ?? f.resource.address}: ${f.reason}`);
      }
    }
    // An unused suppression is something to act on (remove it): always shown.
    for (const u of result.unusedSuppressions) log(`  warning: unused suppression ${u.ruleId} on ${u.source} ${u.address}`);
    for (const x of result.expiredSuppressions) log(`  warning: expired suppression ${x.ruleId} on ${x.source} ${x.address} (ended ${x.expires}): remove it`);
  }
}

/** Adds a {@link PolicyAspect} to every stack of `app` (aspects on the App itself are not invoked by cdktf's stack synthesis). */
export function applyPolicies(app: IConstruct, options: PolicyAspectOptions = {}): void {
  const aspect = new PolicyAspect(options);
  for (const c of app.node.findAll()) {
    if (!TerraformStack.isStack(c)) continue;
    Aspects.of(c).add(aspect);
    keepPreparedFragments(c);
  }
}
