import { defineRule } from "../../types";
import { label, ownStatements, POLICY_TYPES } from "./documents";

/** ZNIAM2: no statement allows every action of a service. */
export const rule = defineRule({
  id: "ZNIAM2",
  service: "iam",
  title: 'No policy allows a whole service ("<service>:*")',
  description: "Service-wide wildcards include permission-management and destructive actions (e.g. kms:PutKeyPolicy, s3:DeleteBucket).",
  severity: "high",
  resourceTypes: POLICY_TYPES,
  scanners: { checkov: ["CKV_AWS_109", "CKV_AWS_111"], trivy: ["AWS-0057"] },
  fix: "Replace <service>:* with the list of actions the principal uses.",
  check: (r) =>
    ownStatements(r).flatMap((s, i) =>
      s.effect === "Allow" ? s.actions.filter((a) => /^[a-z0-9-]+:\*$/i.test(a)).map((a) => `${label(s, i)} allows ${a}`) : [],
    ),
});
