import { defineRule } from "../../types";
import { containerDefinitions } from "./containers";

/** Variable names that say they hold a secret (also refused in zenml.extraEnvironment, lib/config/schema.ts). */
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)/i;
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i;
const AWS_ACCESS_KEY = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;
/** Names that describe where a secret is, not the secret. */
const REFERENCE_NAME = /_(ARN|NAME|ID|PATH|FILE|DIR|URL|URI|REGION|AUDIENCE|ENABLED|TYPE)$/i;

/** ZNECS8: no secrets in plain container environment variables. */
export const rule = defineRule({
  id: "ZNECS8",
  service: "ecs",
  title: "No secrets in plain container environment",
  description:
    "Plain environment values are visible to anyone who can describe the task definition, and are stored in Terraform state.",
  severity: "critical",
  resourceTypes: ["aws_ecs_task_definition"],
  scanners: { trivy: ["AWS-0036"] },
  fix: "Move the value to Secrets Manager and inject it through the container's secrets (valueFrom) instead of environment.",
  check: ({ attributes: a }) =>
    (containerDefinitions(a) ?? []).flatMap((c) =>
      (Array.isArray(c.environment) ? c.environment : []).flatMap((e: { name?: string; value?: unknown }) => {
        const value = typeof e.value === "string" ? e.value : "";
        if (value === "") return [];
        // The includes() first: the regex alone backtracks through every long value (a PEM bundle, ~5 KB).
        if (value.includes("://") && CREDENTIAL_URL.test(value)) return [`container ${c.name}: ${e.name} carries credentials in a URL`];
        if (AWS_ACCESS_KEY.test(value)) return [`container ${c.name}: ${e.name} contains an AWS access key`];
        const name = String(e.name);
        if (SECRET_NAME.test(name) && !REFERENCE_NAME.test(name) && !/^(true|false|[0-9]+)$/i.test(value)) {
          return [`container ${c.name}: ${e.name} looks like a secret in plain environment`];
        }
        return [];
      }),
    ),
});
