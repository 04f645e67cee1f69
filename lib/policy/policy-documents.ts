/**
 * IAM policy statements in one shape, read from `data.aws_iam_policy_document` blocks or from a
 * literal JSON policy (plan values, inline `jsonencode` policies).
 */
import { blocks, parseJson, strings } from "./attributes";
import { Attributes, PolicyResource, RuleContext } from "./types";

/** A normalized statement. */
export interface Statement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  /** Principals; `{type: "*", identifiers: ["*"]}` for `"Principal": "*"`. */
  readonly principals: { type: string; identifiers: string[] }[];
  readonly conditions: { test: string; variable: string; values: string[] }[];
}

/** Statements of a `data.aws_iam_policy_document` (its blocks, or its computed `json` in a plan). */
export function documentStatements(doc: PolicyResource): Statement[] {
  const fromBlocks = blocks(doc.attributes, "statement");
  if (fromBlocks.length > 0) return fromBlocks.map(fromBlock);
  return jsonStatements(doc.attributes.json) ?? [];
}

function fromBlock(s: Attributes): Statement {
  return {
    sid: typeof s.sid === "string" ? s.sid : undefined,
    effect: s.effect === "Deny" ? "Deny" : "Allow",
    actions: strings(s.actions),
    notActions: strings(s.not_actions),
    resources: strings(s.resources),
    notResources: strings(s.not_resources),
    principals: blocks(s, "principals").map((p) => ({ type: String(p.type), identifiers: strings(p.identifiers) })),
    conditions: blocks(s, "condition").map((c) => ({ test: String(c.test), variable: String(c.variable), values: strings(c.values) })),
  };
}

/** Statements of a literal JSON policy, or undefined when `value` is not one. */
export function jsonStatements(value: unknown): Statement[] | undefined {
  const doc = parseJson(value) as { Statement?: unknown } | undefined;
  if (!doc || typeof doc !== "object" || !("Statement" in doc)) return undefined;
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return list.filter((s) => s && typeof s === "object").map((s: any) => ({
    sid: typeof s.Sid === "string" ? s.Sid : undefined,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    notResources: strings(s.NotResource),
    principals:
      s.Principal === "*"
        ? [{ type: "*", identifiers: ["*"] }]
        : Object.entries((s.Principal ?? {}) as Record<string, unknown>).map(([type, ids]) => ({ type, identifiers: strings(ids) })),
    conditions: Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap(([test, vars]) =>
      Object.entries(vars ?? {}).map(([variable, values]) => ({ test, variable, values: strings(values) })),
    ),
  }));
}

/**
 * Statements of a policy attribute of a resource: a reference to a policy-document data source, or a
 * literal JSON policy. Undefined when unknown (e.g. computed at apply time).
 */
export function policyStatements(value: unknown, context: RuleContext): Statement[] | undefined {
  const doc = context.referenced(value, "data.aws_iam_policy_document");
  if (doc) return documentStatements(doc);
  return jsonStatements(value);
}

/** True when a statement grants to everyone: principal `*` or AWS `*`. */
export function isPublicPrincipal(s: Statement): boolean {
  return s.principals.some((p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*"));
}

/** Resource types whose `policy` attribute is a key or resource policy where `Resource: "*"` means the resource itself. */
export const RESOURCE_POLICY_HOLDERS: Record<string, string> = {
  aws_kms_key: "policy",
  aws_s3_bucket_policy: "policy",
  aws_sns_topic_policy: "policy",
  aws_sqs_queue_policy: "policy",
  aws_ecr_repository_policy: "policy",
  aws_secretsmanager_secret_policy: "policy",
};

/** Resources that use the policy-document data source `doc` as a key/resource policy. */
export function resourcePolicyUsers(doc: PolicyResource, context: RuleContext): PolicyResource[] {
  return Object.entries(RESOURCE_POLICY_HOLDERS).flatMap(([type, attr]) =>
    context.ofType(type).filter((r) => {
      const v = r.attributes[attr];
      return context.referenced(v, "data.aws_iam_policy_document") === doc || (typeof v === "string" && v === doc.attributes.json);
    }),
  );
}

/** Resources that use `doc` as a trust (assume-role) policy. */
export function trustPolicyUsers(doc: PolicyResource, context: RuleContext): PolicyResource[] {
  return context.ofType("aws_iam_role").filter((r) => {
    const v = r.attributes.assume_role_policy;
    return context.referenced(v, "data.aws_iam_policy_document") === doc || (typeof v === "string" && v === doc.attributes.json);
  });
}

/** True when every action of the statement is an `sts:AssumeRole*` action (a trust policy statement). */
export function isTrustStatement(s: Statement): boolean {
  return s.actions.length > 0 && s.actions.every((a) => /^sts:(AssumeRole|AssumeRoleWithWebIdentity|AssumeRoleWithSAML|TagSession|SetSourceIdentity)$/i.test(a));
}
