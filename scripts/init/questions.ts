/**
 * What `npm run init` asks, each answer checked with the piece of the environment-file schema
 * (lib/config/schema.ts) that checks that field in a file: no validation rule is written twice.
 */
import { z } from "zod";
import { DEFAULTS, EnvironmentFileSchema } from "../../lib/config/schema";
import { supportedRanges } from "../../lib/zenml-releases";

const file = EnvironmentFileSchema.shape;
const zenml = file.zenml.shape;
const dns = file.dns.shape;

/** One question: its flag, the config field it fills and the schema piece that checks the answer. */
export interface Question {
  /** Option name (`--<flag>`) that answers it without asking. */
  readonly flag: string;
  /** Dotted path of the field in the environment file. */
  readonly field: string;
  /** What the prompt says. */
  readonly label: string;
  /** The field's schema, from EnvironmentFileSchema. */
  readonly schema: z.ZodType;
  /** Turns the typed text into the field's value. @default the trimmed text */
  readonly parse?: (text: string) => unknown;
  /** Answer taken when the user just presses Enter (and in --no-input runs). @default none (an answer is needed) */
  readonly default?: (answers: Answers, env: string) => string | undefined;
  /** Asked only when this holds. @default always */
  readonly when?: (answers: Answers) => boolean;
  /** {@link when} in words, for the usage text. @default none */
  readonly askedWhen?: string;
}

/** Parsed answers by field path. */
export type Answers = Readonly<Record<string, unknown>>;

/** The questions in the order they are asked. */
export const QUESTIONS: readonly Question[] = [
  {
    flag: "preset",
    field: "preset",
    label: "Preset (dev: single NAT, one task, small DB; prod: HA, protection on)",
    schema: file.preset,
    default: (_a, env) => (env === "prod" ? "prod" : "dev"),
  },
  { flag: "region", field: "region", label: "AWS region (e.g. eu-central-1)", schema: file.region },
  {
    flag: "account-ids",
    field: "allowedAccountIds",
    label: "AWS account ID(s) this file may deploy to (comma-separated)",
    schema: file.allowedAccountIds.unwrap(),
    parse: (text) => text.split(/[\s,]+/).filter(Boolean),
  },
  {
    flag: "name",
    field: "name",
    label: "Base name of the environment's AWS resources (distinct per environment in one account)",
    schema: file.name.unwrap(),
    // As the shipped files do: prod keeps the guide's names, every other environment gets its own.
    default: (_a, env) => (env === "prod" ? DEFAULTS.name : `${DEFAULTS.name}-${env}`),
  },
  { flag: "zenml-version", field: "zenml.version", label: `ZenML server version (${supportedRanges()})`, schema: zenml.version },
  { flag: "organization-id", field: "zenml.organizationId", label: "ZenML Pro organization ID (UUID)", schema: zenml.organizationId },
  { flag: "organization-name", field: "zenml.organizationName", label: "ZenML Pro organization name", schema: zenml.organizationName },
  { flag: "workspace-id", field: "zenml.workspaceId", label: "ZenML Pro workspace ID (UUID, from ZenML Support)", schema: zenml.workspaceId },
  { flag: "workspace-name", field: "zenml.workspaceName", label: "ZenML Pro workspace name", schema: zenml.workspaceName },
  { flag: "domain", field: "dns.domainName", label: "Host name of the workspace (e.g. zenml.mycompany.com)", schema: dns.domainName },
  {
    flag: "dns",
    field: "dns.provider",
    label: "DNS mode (route53: certificate and record in your hosted zone; external: you create the CNAME)",
    schema: dns.provider,
  },
  {
    flag: "hosted-zone-id",
    field: "dns.hostedZoneId",
    label: "Route53 hosted zone ID of the domain",
    schema: dns.hostedZoneId.unwrap(),
    when: (a) => a["dns.provider"] === "route53",
    askedWhen: "with --dns route53",
  },
  {
    flag: "certificate-arn",
    field: "dns.certificateArn",
    label: "ACM certificate ARN for the host name (in the region)",
    schema: dns.certificateArn.unwrap(),
    when: (a) => a["dns.provider"] === "external",
    askedWhen: "with --dns external",
  },
  { flag: "state-bucket", field: "state.bucket", label: "S3 bucket for Terraform state (created by npm run deploy -- state-bootstrap)", schema: file.state.shape.bucket },
];

/** The schema's message for a bad answer, or undefined when the value is valid. */
export function check(q: Question, value: unknown): string | undefined {
  const result = q.schema.safeParse(value);
  if (result.success) return undefined;
  return result.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/** Parses and checks one typed answer: the value, or the message saying what is allowed. */
export function answer(q: Question, text: string): { value: unknown } | { error: string } {
  const value = q.parse ? q.parse(text.trim()) : text.trim();
  const error = check(q, value);
  return error === undefined ? { value } : { error };
}

/**
 * The environment file from the answers: the fields asked, `$schema` for editor completion, and
 * nothing that equals its default.
 */
export function environmentDocument(answers: Answers, schemaRef: string): Record<string, unknown> {
  const doc: Record<string, any> = { $schema: schemaRef };
  for (const q of QUESTIONS) {
    if (!(q.field in answers)) continue;
    if (q.field === "name" && answers.name === DEFAULTS.name) continue;
    const keys = q.field.split(".");
    let node = doc;
    for (const k of keys.slice(0, -1)) node = node[k] ??= {};
    node[keys[keys.length - 1]] = answers[q.field];
  }
  return doc;
}
