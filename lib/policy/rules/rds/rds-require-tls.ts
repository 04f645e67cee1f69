import { blocks, isUnknown, show } from "../../attributes";
import { defineRule } from "../../types";

/** ZNRDS14: the parameter group makes the engine refuse unencrypted connections. */
export const rule = defineRule({
  id: "ZNRDS14",
  service: "rds",
  title: "RDS requires TLS for every connection",
  description: "Without require_secure_transport (MySQL) / rds.force_ssl (PostgreSQL) a misconfigured client sends credentials and data in clear text.",
  severity: "high",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV2_AWS_69"] },
  fix: "Use a custom DB parameter group with require_secure_transport=1 (MySQL/MariaDB) or rds.force_ssl=1 (PostgreSQL) (config: database.requireTls).",
  check: ({ attributes: a }, ctx) => {
    const engine = String(a.engine ?? "");
    const param = /mysql|mariadb/.test(engine) ? "require_secure_transport" : /postgres/.test(engine) ? "rds.force_ssl" : undefined;
    if (!param) return;
    const groupName = a.parameter_group_name;
    const group = ctx.referenced(groupName, "aws_db_parameter_group");
    if (!group) {
      if (groupName === undefined || (typeof groupName === "string" && groupName.startsWith("default."))) {
        return `uses the default parameter group (${show(groupName)}), which allows unencrypted connections`;
      }
      return; // a parameter group managed elsewhere: cannot be checked here
    }
    const value = blocks(group.attributes, "parameter").find((p) => p.name === param)?.value;
    if (isUnknown(value)) return;
    if (!["1", "ON", "on", "true"].includes(String(value))) return `${param} is ${show(value)} in ${group.address}`;
    return undefined;
  },
});
