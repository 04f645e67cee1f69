import { defineRule } from "../../types";
import { isPublicPrincipal, isTrustStatement } from "../../policy-documents";
import { label, ownStatements, POLICY_TYPES } from "./documents";

/** ZNIAM6: resource policies do not allow everyone without a condition. */
export const rule = defineRule({
  id: "ZNIAM6",
  service: "iam",
  title: 'No resource policy allows principal "*" without a condition',
  description: 'Principal "*" without conditions makes the bucket, key or topic usable by any AWS account or anonymous caller.',
  severity: "critical",
  resourceTypes: POLICY_TYPES,
  scanners: { checkov: ["CKV_AWS_33", "CKV_AWS_70", "CKV_AWS_283", "CKV_AWS_169"] },
  fix: "Name the principals (accounts, roles, service principals) or restrict with aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID conditions.",
  check: (r) =>
    ownStatements(r).flatMap((s, i) =>
      s.effect === "Allow" && !isTrustStatement(s) && isPublicPrincipal(s) && s.conditions.length === 0
        ? [`${label(s, i)} allows principal "*" without a condition`]
        : [],
    ),
});
