import { refersTo } from "../../attributes";
import { defineRule } from "../../types";

/** ZNSEC2: secrets rotate automatically. */
export const rule = defineRule({
  id: "ZNSEC2",
  service: "secrets",
  title: "Secrets Manager secrets rotate automatically",
  description: "Rotation bounds how long a leaked secret stays valid.",
  severity: "medium",
  resourceTypes: ["aws_secretsmanager_secret"],
  scanners: { checkov: ["CKV2_AWS_57"] },
  fix: "Add an aws_secretsmanager_secret_rotation with a rotation Lambda, or suppress when the value is issued by a third party that rotates it.",
  check: (secret, ctx) =>
    ctx.ofType("aws_secretsmanager_secret_rotation").some((r) => refersTo(r.attributes.secret_id, secret)) ? undefined : "no rotation is configured",
});
