import { defineRule } from "../../types";
import { isPublicPrincipal, isTrustStatement } from "../../policy-documents";
import { label, ownStatements, POLICY_TYPES } from "./documents";

/** ZNIAM4: roles can only be assumed by named principals. */
export const rule = defineRule({
  id: "ZNIAM4",
  service: "iam",
  title: "Role trust policies name specific principals",
  description: "A trust policy open to any principal (or a web identity without audience/subject conditions) lets outsiders assume the role.",
  severity: "critical",
  resourceTypes: POLICY_TYPES,
  scanners: { checkov: ["CKV_AWS_60", "CKV_AWS_61"] },
  fix: 'Trust only service principals or specific account/role ARNs; for federated (OIDC) principals add StringEquals conditions on ":aud" and ":sub".',
  check: (r) =>
    ownStatements(r).flatMap((s, i) => {
      if (s.effect !== "Allow" || !isTrustStatement(s)) return [];
      if (isPublicPrincipal(s)) return [`${label(s, i)} lets any principal assume the role`];
      const federated = s.principals.some((p) => p.type === "Federated");
      if (federated && s.actions.some((a) => /AssumeRoleWithWebIdentity/i.test(a))) {
        const scoped = (suffix: string) => s.conditions.some((c) => c.variable.endsWith(suffix) && !c.values.some((v) => v === "*"));
        if (!scoped(":aud") || !scoped(":sub")) return [`${label(s, i)} trusts a web identity without :aud and :sub conditions`];
      }
      return [];
    }),
});
