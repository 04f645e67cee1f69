import { isSet } from "../../attributes";
import { defineRule } from "../../types";

/** ZNKMS2: keys have an explicit key policy. */
export const rule = defineRule({
  id: "ZNKMS2",
  service: "kms",
  title: "KMS keys have an explicit key policy",
  description: "The default key policy gives the account root every permission and no service principal any; an explicit policy documents who may use the key.",
  severity: "medium",
  resourceTypes: ["aws_kms_key"],
  scanners: { checkov: ["CKV2_AWS_64"] },
  fix: "Set policy from a DataAwsIamPolicyDocument (modules/kms.ts).",
  check: ({ attributes: a }) => (isSet(a.policy) ? undefined : "policy is unset (default key policy)"),
});
