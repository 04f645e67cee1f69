import { isFalse, isTrue, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNKMS1: symmetric keys rotate and are enabled. */
export const rule = defineRule({
  id: "ZNKMS1",
  service: "kms",
  title: "KMS keys rotate automatically",
  description: "Automatic rotation limits how much data one key version protects.",
  severity: "medium",
  resourceTypes: ["aws_kms_key"],
  scanners: { checkov: ["CKV_AWS_7"], trivy: ["AWS-0065"], kics: ["22fbfeac-7b5a-421a-8a27-7a2178bb910b"] },
  fix: "Set enableKeyRotation: true (and keep isEnabled).",
  check: ({ attributes: a }) => {
    if (isFalse(a.is_enabled)) return "is_enabled is false";
    const spec = String(a.customer_master_key_spec ?? "SYMMETRIC_DEFAULT");
    if (spec === "SYMMETRIC_DEFAULT" && !isTrue(a.enable_key_rotation)) return `enable_key_rotation is ${show(a.enable_key_rotation)}`;
    return undefined;
  },
});
