import { defineRule } from "../../types";
import { label, ownStatements, POLICY_TYPES } from "./documents";

/** ZNIAM1: no statement allows every action. */
export const rule = defineRule({
  id: "ZNIAM1",
  service: "iam",
  title: 'No policy allows all actions ("*" or NotAction)',
  description: 'Action "*" (or an Allow with NotAction) grants administrator-level access to whatever the resources cover.',
  severity: "critical",
  resourceTypes: POLICY_TYPES,
  scanners: { checkov: ["CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_62", "CKV_AWS_63"], trivy: ["AWS-0057"] },
  fix: "List the exact actions the principal needs.",
  check: (r) =>
    ownStatements(r).flatMap((s, i) =>
      s.effect !== "Allow"
        ? []
        : s.actions.some((a) => a === "*" || a === "*:*")
          ? [`${label(s, i)} allows action "*"`]
          : s.notActions.length > 0
            ? [`${label(s, i)} allows everything except ${s.notActions.join(", ")} (NotAction)`]
            : [],
    ),
});
