import { defineRule } from "../../types";
import { isTrustStatement, Statement } from "../../policy-documents";
import { label, ownStatements, POLICY_TYPES } from "./documents";

/** The global condition keys that tie a service's AssumeRole to the resource (account) it acts for. */
const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn"];

/**
 * True when a statement conditions on aws:SourceAccount or aws:SourceArn with a positive operator
 * (not `...Not...`, not `...IfExists`, which pass when the service sends no such key) and a value
 * other than "*".
 */
export function hasSourceCondition(s: Statement): boolean {
  return s.conditions.some(
    (c) =>
      SOURCE_KEYS.includes(c.variable.toLowerCase()) &&
      !/Not|IfExists$/i.test(c.test) &&
      c.values.length > 0 &&
      c.values.every((v) => v !== "*"),
  );
}

/** ZNIAM7: a role an AWS service assumes is scoped to this account's (or resource's) requests. */
export const rule = defineRule({
  id: "ZNIAM7",
  service: "iam",
  title: "Service-role trust policies condition on aws:SourceAccount or aws:SourceArn",
  description:
    "Without aws:SourceAccount / aws:SourceArn, the service may assume the role on behalf of any customer's resource that names it (the cross-service confused deputy problem).",
  severity: "high",
  resourceTypes: POLICY_TYPES,
  scanners: {},
  references: ["AWS IAM user guide: The confused deputy problem", "Prowler iam_role_cross_service_confused_deputy_prevention"],
  fix: 'Add "StringEquals" aws:SourceAccount = the account ID, and "ArnLike" aws:SourceArn = the resource that uses the role where the service documents it (lib/trust-policy.ts serviceTrustPolicy); suppress with a reason for a service that sends neither key.',
  check: (r) =>
    ownStatements(r).flatMap((s, i) => {
      if (s.effect !== "Allow" || !isTrustStatement(s)) return [];
      const services = s.principals.filter((p) => p.type === "Service").flatMap((p) => p.identifiers);
      if (services.length === 0 || hasSourceCondition(s)) return [];
      return [`${label(s, i)} lets ${services.join(", ")} assume the role without an aws:SourceAccount or aws:SourceArn condition`];
    }),
});
