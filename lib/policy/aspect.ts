/**
 * The rule pack as a cdktf Aspect. cdktf invokes aspects per stack at the start of each stack's
 * synthesis, before that stack is written; the first time the aspect runs in an app it checks every
 * stack of the app, so a violation anywhere stops `app.synth()` before any stack file is written.
 * It also writes each suppression into the synthesized JSON (for `npm run policy` and checkov) and
 * prints one line per suppression.
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
import { configResources, SUPPRESSIONS_KEY } from "./load";
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

/** A stack's resources as the rules see them: each element's resolved `toTerraform()` fragment. */
export function stackInput(stack: TerraformStack): EvaluationInput & { elements: Map<string, Element> } {
  const elements = new Map<string, Element>();
  const resources: PolicyResource[] = [];
  const suppressions = new Map<string, PolicySuppression[]>();
  for (const c of stack.node.findAll()) {
    if (!isElement(c) || TerraformStack.of(c) !== stack) continue;
    const fragment = Tokenization.resolve((c as TerraformElement).toTerraform(), { scope: stack, preparing: false, resolver: RESOLVER });
    for (const r of configResources(fragment)) resources.push(r);
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

/** Writes suppressions into the synthesized JSON: per resource (with checkov skip lines) and a root map per stack. */
function emitSuppressions(inputs: ReturnType<typeof stackInput>[]): void {
  for (const input of inputs) {
    const rootMap: Record<string, { rule: string; reason: string }[]> = {};
    for (const [address, list] of input.suppressions) {
      const entries = list.map((s) => ({ rule: s.ruleId, reason: s.reason }));
      rootMap[address] = entries;
      const element = input.elements.get(address);
      if (element instanceof TerraformResource) {
        element.addOverride(`//.${SUPPRESSIONS_KEY}`, entries);
        const checkov = list.flatMap((s) =>
          (RULES_BY_ID.get(s.ruleId)?.references ?? []).filter((r) => /^CKV2?_AWS_\d+$/.test(r)).map((r) => `checkov:skip=${r}:${s.reason}`),
        );
        if (checkov.length > 0) element.addOverride("//.checkov", [...new Set(checkov)]);
      }
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
    lines.push('  To accept a finding deliberately: suppress(construct, "<rule ID>", "<reason>") from lib/policy (see README "Policy checks and PR review").');
  }
  for (const u of e.unknownSuppressions) lines.push(`  unknown rule ${u.ruleId} suppressed on ${u.source} ${u.address} ("${u.reason}")`);
  return lines.join("\n");
}

/** Options of {@link PolicyAspect}. */
export interface PolicyAspectOptions {
  /**
   * Where the summary lines (one per suppression) go.
   * @default console.log
   */
  readonly log?: (line: string) => void;
}

const checked = new WeakSet<IConstruct>();

/**
 * Runs the rule pack during synth. Add it to every stack with {@link applyPolicies}; the first
 * invocation checks the whole app and throws {@link PolicyViolationError} before anything is written.
 */
export class PolicyAspect implements IAspect {
  constructor(private readonly options: PolicyAspectOptions = {}) {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const root = node.node.root;
    if (checked.has(root)) return;
    checked.add(root);
    const result = checkConstructTree(root);
    if (failures(result).length > 0 || result.unknownSuppressions.length > 0) throw new PolicyViolationError(result);
    emitSuppressions(result.inputs);
    const log = this.options.log ?? ((line: string) => console.log(line));
    const accepted = suppressed(result);
    log(`policy: ${RULES_BY_ID.size} rules, ${result.findings.length} checks, 0 violations, ${accepted.length} suppressed`);
    const seen = new Set<string>();
    for (const f of accepted) {
      const k = `${f.source}\u0000${f.resource.address}\u0000${f.rule.id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      log(`  suppressed ${f.rule.id} on ${f.resource.constructPath ?? f.resource.address}: ${f.reason}`);
    }
    for (const u of result.unusedSuppressions) log(`  warning: unused suppression ${u.ruleId} on ${u.source} ${u.address}`);
  }
}

/** Adds a {@link PolicyAspect} to every stack of `app` (aspects on the App itself are not invoked by cdktf's stack synthesis). */
export function applyPolicies(app: IConstruct, options: PolicyAspectOptions = {}): void {
  const aspect = new PolicyAspect(options);
  for (const c of app.node.findAll()) if (TerraformStack.isStack(c)) Aspects.of(c).add(aspect);
}
