/**
 * The rule model of the policy pack: a rule checks one Terraform resource (or data source) given as a
 * plain object of snake_case attributes, the same whether it comes from a construct during synth,
 * from synthesized `cdk.tf.json`, or from `terraform show -json` plan output.
 */

/** How bad a violation is; maps to SARIF levels (critical/high → error, medium → warning, low → note). */
export type Severity = "critical" | "high" | "medium" | "low";

/** Service group of a rule (its folder under lib/policy/rules/). */
export type Service = "rds" | "alb" | "ecs" | "ecr" | "s3" | "iam" | "kms" | "logs" | "secrets" | "vpc" | "sns" | "dynamodb";

/** Attributes of one resource, snake_case as in Terraform JSON. */
export type Attributes = Readonly<Record<string, unknown>>;

/** One resource or data source to check. */
export interface PolicyResource {
  /** Terraform type, e.g. `aws_db_instance`. */
  readonly type: string;
  /** `managed` for `resource` blocks, `data` for data sources. */
  readonly mode: "managed" | "data";
  /** Terraform name (the cdktf logical ID). */
  readonly name: string;
  /** Terraform address: `aws_db_instance.x`, `data.aws_iam_policy_document.y`, with `module.m.` prefix in plans. */
  readonly address: string;
  /** Resolved attributes; unknown values are `${...}` references or {@link UNKNOWN}. */
  readonly attributes: Attributes;
  /** cdktf construct path (e.g. `dev/database/instance`) when known. */
  readonly constructPath?: string;
}

/** Placeholder for an attribute whose value a plan only knows after apply (and for which no reference is recorded). */
export const UNKNOWN = "${(known after apply)}";

/** What a rule may look at besides the resource itself: the other resources of the same stack or plan. */
export interface RuleContext {
  /** Every resource and data source of the stack. */
  readonly resources: readonly PolicyResource[];
  /** Resources of a type; data sources as `data.<type>`. */
  ofType(type: string): PolicyResource[];
  /** The resource a `${type.name.attr}` reference (or a plan's literal value of `attr`) points at. */
  referenced(value: unknown, type?: string): PolicyResource | undefined;
}

/** A rule: one check with an ID, a severity and an actionable fix. */
export interface Rule {
  /** Stable ID, `ZN<SERVICE><n>` (e.g. `ZNRDS1`). */
  readonly id: string;
  /** Service group. */
  readonly service: Service;
  /** One line: what must be true. */
  readonly title: string;
  /** Why it matters. */
  readonly description: string;
  /** How bad a violation is. */
  readonly severity: Severity;
  /** Resource types the rule applies to (`data.<type>` for data sources). */
  readonly resourceTypes: readonly string[];
  /**
   * The same check in external scanners, each ID confirmed in that scanner's rule source (the defining
   * file is recorded in lib/policy/scanner-sources.ts); an ID that could not be confirmed is left out. Suppressions of this rule are generated for these IDs
   * (lib/policy/scanners.ts) and applied to imported scanner reports (`npm run policy -- --import`).
   */
  readonly scanners: ScannerIds;
  /** Related controls outside the scanners (e.g. AWS Security Hub), for the reader. */
  readonly references?: readonly string[];
  /** What to change in code to pass. */
  readonly fix: string;
  /** Returns the problems of `resource` (nothing when it passes). */
  check(resource: PolicyResource, context: RuleContext): string | readonly string[] | undefined | void;
}

/** Scanners whose findings the pack maps its rules to. */
export const SCANNERS = ["checkov", "trivy", "kics"] as const;
export type Scanner = (typeof SCANNERS)[number];

/** Check IDs of one rule in each scanner. */
export type ScannerIds = { readonly [S in Scanner]?: readonly string[] };

/** Identity helper that type-checks a rule definition. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/** An accepted violation: the rule ID and why it is acceptable for this resource. */
export interface PolicySuppression {
  /** Rule ID. */
  readonly ruleId: string;
  /** Justification shown in every report. */
  readonly reason: string;
  /** Who answers for the exception (a team or person), when named. */
  readonly owner?: string;
  /** Last day (`YYYY-MM-DD`, UTC) the exception applies; after it the finding fails again. */
  readonly expires?: string;
}

/** Result of one rule on one resource. */
export interface Finding {
  readonly rule: Rule;
  readonly resource: PolicyResource;
  /** `fail`: a violation; `suppressed`: a violation accepted with a reason; `pass`: compliant. */
  readonly status: "pass" | "fail" | "suppressed";
  /** What is wrong (fail/suppressed). */
  readonly message?: string;
  /** Suppression reason (suppressed). */
  readonly reason?: string;
  /** Where the resource came from: a stack name or a file path. */
  readonly source: string;
}
