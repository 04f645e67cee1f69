import { defineRule } from "../../types";
import { isPublicPrincipal, policyStatements } from "../../policy-documents";

/** ZNKMS3: the key policy has no wildcard principal and no wildcard action. */
export const rule = defineRule({
  id: "ZNKMS3",
  service: "kms",
  title: 'KMS key policy without "*" principal or "kms:*"/"*" actions',
  description: "A wildcard principal shares the key with everyone; kms:* lets every IAM principal with kms:* change the key policy and schedule deletion.",
  severity: "high",
  resourceTypes: ["aws_kms_key"],
  scanners: { checkov: ["CKV_AWS_33"] },
  fix: "Grant the account root the explicit administration and cryptographic actions (modules/kms.ts), and services only what they use, with conditions.",
  check: ({ attributes: a }, ctx) =>
    (policyStatements(a.policy, ctx) ?? []).flatMap((s) => {
      if (s.effect !== "Allow") return [];
      const problems: string[] = [];
      if (isPublicPrincipal(s) && s.conditions.length === 0) problems.push(`${s.sid ?? "a statement"} allows principal "*"`);
      const wild = s.actions.filter((x) => x === "*" || x.toLowerCase() === "kms:*");
      if (wild.length > 0) problems.push(`${s.sid ?? "a statement"} allows ${wild.join(", ")}`);
      return problems;
    }),
});
