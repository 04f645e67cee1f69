/**
 * Security (warn): ingress widened (new CIDR or port, IPv4 and IPv6; inline `aws_security_group`
 * rules, `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`), IAM statements added or
 * widened (actions or resources becoming `*`, new principals; the policy JSON strings are parsed),
 * encryption, public access, TLS policy, deletion protection or logging switched off, and a
 * container secret's `valueFrom` (secret ARN, JSON key, version pin) changed.
 */
import { containersOf } from "./containers";
import { Finding, findingOf } from "./model";
import { Path, ResourceChange, display, formatValue, pathText, readable, readableObject } from "./plan";

type Json = Record<string, any>;

/** A security finding of one check (`review/security/<check>`: its rule in SARIF). */
const warnOf = (check: string) => findingOf("warn", "security", `review/security/${check}`);
const ingressWarn = warnOf("ingress-widened");
const iamWarn = warnOf("iam-widened");
const removedWarn = warnOf("protection-removed");
const offWarn = warnOf("protection-switched-off");
const secretWarn = warnOf("secret-source-changed");

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null || v === "" ? [] : [String(v)]);
const WORLD = new Set(["0.0.0.0/0", "::/0"]);
const ports = (from: unknown, to: unknown, protocol: unknown) =>
  String(protocol) === "-1" || String(protocol) === "all" ? "all ports" : from === to ? `${from}/${protocol}` : `${from}-${to}/${protocol}`;

/** One ingress permission, flattened. */
export interface Ingress {
  readonly ports: string;
  readonly cidrs: string[];
  readonly peers: string[];
}

export function ingressOf(type: string, v: Json | undefined): Ingress[] {
  if (!v) return [];
  switch (type) {
    case "aws_security_group_rule":
      if (v.type !== "ingress") return [];
      return [{ ports: ports(v.from_port, v.to_port, v.protocol), cidrs: [...list(v.cidr_blocks), ...list(v.ipv6_cidr_blocks)], peers: [...list(v.source_security_group_id), ...list(v.prefix_list_ids), ...(v.self ? ["self"] : [])] }];
    case "aws_vpc_security_group_ingress_rule":
      return [{ ports: ports(v.from_port, v.to_port, v.ip_protocol), cidrs: [...list(v.cidr_ipv4), ...list(v.cidr_ipv6)], peers: [...list(v.referenced_security_group_id), ...list(v.prefix_list_id)] }];
    case "aws_security_group":
    case "aws_default_security_group":
      return (Array.isArray(v.ingress) ? v.ingress : []).map((r: Json) => ({
        ports: ports(r.from_port, r.to_port, r.protocol),
        cidrs: [...list(r.cidr_blocks), ...list(r.ipv6_cidr_blocks)],
        peers: [...list(r.security_groups), ...list(r.prefix_list_ids), ...(r.self ? ["self"] : [])],
      }));
    default:
      return [];
  }
}

const CIDR_ATTRIBUTE: Readonly<Record<string, [string, string]>> = {
  aws_security_group_rule: ["cidr_blocks", "ipv6_cidr_blocks"],
  aws_vpc_security_group_ingress_rule: ["cidr_ipv4", "cidr_ipv6"],
  aws_security_group: ["ingress", "ingress"],
  aws_default_security_group: ["ingress", "ingress"],
};

function ingressFindings(rc: ResourceChange): Finding[] {
  if (!CIDR_ATTRIBUTE[rc.type] || rc.action === "delete" || rc.action === "no-op") return [];
  const before = ingressOf(rc.type, readableObject(rc, "before"));
  const after = ingressOf(rc.type, readableObject(rc, "after"));
  const out: Finding[] = [];
  for (const rule of after) {
    const same = before.filter((b) => b.ports === rule.ports);
    const known = new Set(same.flatMap((b) => b.cidrs));
    const newCidrs = rule.cidrs.filter((c) => !known.has(c));
    const newPort = same.length === 0;
    if (newCidrs.length === 0 && !newPort) continue;
    const v6 = newCidrs.length > 0 && newCidrs.every((c) => c.includes(":"));
    const attribute = newCidrs.length ? CIDR_ATTRIBUTE[rc.type][v6 ? 1 : 0] : rc.type.startsWith("aws_security_group") || rc.type === "aws_default_security_group" ? "ingress" : "from_port";
    const sources = newCidrs.length ? newCidrs.join(", ") : rule.peers.join(", ") || rule.cidrs.join(", ");
    const world = newCidrs.some((c) => WORLD.has(c));
    out.push(
      ingressWarn(
        rc,
        `ingress widened: ${rule.ports} from ${sources}${world ? " (the whole internet)" : ""}${newPort && before.length ? " on a new port" : ""}`,
        attribute,
        before.length ? before.map((b) => `${b.ports} ← ${[...b.cidrs, ...b.peers].join(", ")}`).join("; ") : "(none)",
        `${rule.ports} ← ${[...rule.cidrs, ...rule.peers].join(", ")}`,
      ),
    );
  }
  return out;
}

/** IAM-policy-carrying attributes: type → attribute paths (JSON strings). */
const POLICY_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_iam_role_policy: ["policy"],
  aws_iam_user_policy: ["policy"],
  aws_iam_group_policy: ["policy"],
  aws_iam_policy: ["policy"],
  aws_iam_role: ["assume_role_policy"],
  aws_s3_bucket_policy: ["policy"],
  aws_kms_key: ["policy"],
  aws_secretsmanager_secret_policy: ["policy"],
  aws_secretsmanager_secret: ["policy"],
  aws_sns_topic_policy: ["policy"],
  aws_sns_topic: ["policy"],
  aws_ecr_repository_policy: ["policy"],
  aws_cloudwatch_log_resource_policy: ["policy_document"],
};

interface Statement {
  readonly label: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly principals: string[];
}

function statements(text: unknown): Statement[] | undefined {
  if (typeof text !== "string" || text === "") return typeof text === "string" ? [] : undefined;
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const raw = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  return raw.map((s: Json, i: number) => {
    const principal = s.Principal;
    const principals =
      principal === "*" ? ["*"] : principal && typeof principal === "object" ? Object.entries(principal).flatMap(([k, v]) => list(v).map((p) => `${k}:${p}`)) : [];
    return {
      label: s.Sid ? `statement "${s.Sid}"` : `statement ${i + 1}`,
      effect: String(s.Effect ?? "Allow"),
      actions: [...list(s.Action), ...list(s.NotAction).map((a) => `NOT ${a}`)],
      resources: [...list(s.Resource), ...list(s.NotResource).map((r) => `NOT ${r}`)],
      principals,
    };
  });
}

const wildcardAction = (a: string) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a) || a.startsWith("NOT ");
const wildcardResource = (r: string) => r === "*" || r.startsWith("NOT ");

function iamFindings(rc: ResourceChange): Finding[] {
  const attributes = POLICY_ATTRIBUTES[rc.type];
  if (!attributes || rc.action === "delete" || rc.action === "no-op") return [];
  const out: Finding[] = [];
  for (const attr of attributes) {
    const path: Path = [attr];
    const after = statements(readable(rc, "after", path));
    if (!after) continue; // unknown, sensitive or not JSON: nothing to compare
    const before = statements(readable(rc, "before", path)) ?? [];
    const trust = attr === "assume_role_policy";
    for (const [i, s] of after.entries()) {
      if (s.effect !== "Allow") continue;
      const match = before.find((b) => b.label === s.label && b.effect === s.effect) ?? (before[i]?.effect === "Allow" ? before[i] : undefined);
      const newActions = s.actions.filter((a) => !match?.actions.includes(a));
      const newResources = s.resources.filter((r) => !match?.resources.includes(r));
      const newPrincipals = s.principals.filter((p) => !match?.principals.includes(p));
      if (!match && rc.action === "create" && !s.actions.some(wildcardAction) && !s.resources.some(wildcardResource) && !s.principals.includes("*")) continue;
      const parts: string[] = [];
      const wideActions = newActions.filter(wildcardAction);
      const wideResources = newResources.filter(wildcardResource);
      if (wideActions.length) parts.push(`Action widened to ${wideActions.join(", ")}`);
      if (wideResources.length) parts.push(`Resource widened to ${wideResources.join(", ")}`);
      if (newPrincipals.length) parts.push(`${trust ? "new principal in the trust policy" : "new principal"}: ${newPrincipals.join(", ")}`);
      const plainActions = newActions.filter((a) => !wildcardAction(a));
      const plainResources = newResources.filter((r) => !wildcardResource(r));
      if (match && (plainActions.length || plainResources.length)) {
        parts.push(`added ${[plainActions.length ? `actions ${plainActions.join(", ")}` : "", plainResources.length ? `resources ${plainResources.join(", ")}` : ""].filter(Boolean).join(" and ")}`);
      }
      if (!match && rc.action !== "create") parts.unshift("statement added");
      if (parts.length === 0) continue;
      // before → after of what widened: the statement's old lists, then what was added to them.
      const shown = (st: Statement | undefined) =>
        st ? formatValue([`Action: ${st.actions.join(", ")}`, `Resource: ${st.resources.join(", ")}`, ...(st.principals.length ? [`Principal: ${st.principals.join(", ")}`] : [])].join("; "), 160) : "(none)";
      const added = [
        newActions.length ? `Action + ${newActions.join(", ")}` : "",
        newResources.length ? `Resource + ${newResources.join(", ")}` : "",
        newPrincipals.length ? `Principal + ${newPrincipals.join(", ")}` : "",
      ].filter(Boolean);
      out.push(iamWarn(rc, `IAM ${s.label}: ${parts.join("; ")}`, attr, shown(match), match ? formatValue(added.join("; "), 160) : shown(s)));
    }
  }
  return out;
}

/** A protection that is on before and off after. */
interface SwitchedOff {
  readonly type: string;
  readonly path: Path;
  readonly what: string;
  readonly off: (before: any, after: any) => boolean;
}

const trueToFalse = (b: any, a: any): boolean => b === true && a === false;
const setToEmpty = (b: any, a: any): boolean => typeof b === "string" && b !== "" && (a === "" || a === null || a === undefined);
const SWITCHED_OFF: readonly SwitchedOff[] = [
  { type: "aws_db_instance", path: ["storage_encrypted"], what: "storage encryption switched off", off: trueToFalse },
  { type: "aws_db_instance", path: ["deletion_protection"], what: "deletion protection switched off", off: trueToFalse },
  { type: "aws_db_instance", path: ["publicly_accessible"], what: "the database becomes publicly accessible", off: (b, a) => b === false && a === true },
  { type: "aws_db_instance", path: ["enabled_cloudwatch_logs_exports"], what: "database log exports reduced", off: (b, a) => Array.isArray(b) && Array.isArray(a) && b.some((x) => !a.includes(x)) },
  { type: "aws_db_instance", path: ["iam_database_authentication_enabled"], what: "IAM database authentication switched off", off: trueToFalse },
  { type: "aws_lb", path: ["enable_deletion_protection"], what: "load balancer deletion protection switched off", off: trueToFalse },
  { type: "aws_lb", path: ["drop_invalid_header_fields"], what: "invalid header fields are no longer dropped", off: trueToFalse },
  { type: "aws_lb", path: ["access_logs", 0, "enabled"], what: "load balancer access logging switched off", off: trueToFalse },
  { type: "aws_lb_listener", path: ["ssl_policy"], what: "TLS policy changed", off: (b, a) => typeof b === "string" && b !== "" && b !== a },
  { type: "aws_lb_listener", path: ["protocol"], what: "listener no longer uses HTTPS", off: (b, a) => b === "HTTPS" && a !== "HTTPS" },
  ...(["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const).map((attr) => ({
    type: "aws_s3_bucket_public_access_block",
    path: [attr],
    what: `S3 public access block: ${attr} switched off`,
    off: trueToFalse,
  })),
  { type: "aws_s3_bucket_versioning", path: ["versioning_configuration", 0, "status"], what: "bucket versioning suspended", off: (b, a) => b === "Enabled" && a !== "Enabled" },
  { type: "aws_kms_key", path: ["enable_key_rotation"], what: "KMS key rotation switched off", off: trueToFalse },
  { type: "aws_kms_key", path: ["is_enabled"], what: "KMS key disabled", off: trueToFalse },
  { type: "aws_cloudwatch_log_group", path: ["kms_key_id"], what: "log group encryption with a customer key removed", off: setToEmpty },
  { type: "aws_sns_topic", path: ["kms_master_key_id"], what: "SNS topic encryption removed", off: setToEmpty },
  { type: "aws_secretsmanager_secret", path: ["kms_key_id"], what: "secret encryption with a customer key removed", off: setToEmpty },
  { type: "aws_ecs_cluster", path: ["setting"], what: "Container Insights switched off", off: (b, a) => insights(b) && !insights(a) },
  { type: "aws_db_parameter_group", path: ["parameter"], what: "require_secure_transport (TLS to MySQL) switched off", off: (b, a) => tlsRequired(b) === true && tlsRequired(a) === false },
];

function insights(settings: unknown): boolean {
  return Array.isArray(settings) && settings.some((s) => s?.name === "containerInsights" && s?.value !== "disabled");
}

function tlsRequired(params: unknown): boolean | undefined {
  if (!Array.isArray(params)) return undefined;
  const p = params.find((x) => x?.name === "require_secure_transport");
  return p ? ["1", "ON", "on", "true"].includes(String(p.value)) : false;
}

/** Resources whose removal switches a protection or notification off. */
const REMOVED: Readonly<Record<string, string>> = {
  aws_s3_bucket_public_access_block: "S3 public access block removed",
  aws_s3_bucket_server_side_encryption_configuration: "S3 default encryption configuration removed",
  aws_s3_bucket_policy: "bucket policy removed (e.g. the TLS-only statement)",
  aws_flow_log: "VPC flow logging switched off",
  aws_cloudwatch_metric_alarm: "an alarm removed",
  aws_sns_topic_subscription: "alarm notifications switched off: subscription removed",
  aws_cloudwatch_log_subscription_filter: "log forwarding switched off",
  aws_wafv2_web_acl_association: "WAF web ACL detached from the load balancer",
  aws_lb_listener: "listener removed",
};

function switchedOffFindings(rc: ResourceChange): Finding[] {
  if (rc.action === "delete") {
    const what = REMOVED[rc.type];
    if (!what) return [];
    const endpoint = rc.type === "aws_sns_topic_subscription" ? readable(rc, "before", ["endpoint"]) : undefined;
    const protocol = rc.type === "aws_sns_topic_subscription" ? readable(rc, "before", ["protocol"]) : undefined;
    return [removedWarn(rc, `${what}${endpoint ? ` (${protocol} to ${endpoint} no longer notified)` : ""}`, endpoint ? "endpoint" : undefined, endpoint ? display(rc, "before", ["endpoint"]) : undefined, endpoint ? "(none)" : undefined)];
  }
  if (rc.action !== "update" && rc.action !== "replace") return [];
  return SWITCHED_OFF.filter((s) => s.type === rc.type)
    .filter((s) => s.off(readable(rc, "before", s.path), readable(rc, "after", s.path)))
    .map((s) => offWarn(rc, s.what, pathText(s.path), display(rc, "before", s.path), display(rc, "after", s.path)));
}

/** Container secrets whose source (secret ARN, JSON key, version stage or ID pin) changed or was removed. */
function secretFindings(rc: ResourceChange): Finding[] {
  if (rc.type !== "aws_ecs_task_definition" || (rc.action !== "replace" && rc.action !== "update" && rc.action !== "create")) return [];
  const before = containersOf(rc, "before");
  const after = containersOf(rc, "after");
  if (!Array.isArray(before) || !Array.isArray(after)) return [];
  const out: Finding[] = [];
  for (const c of after) {
    const old = before.find((b) => b.name === c.name);
    if (!old) continue;
    for (const [name, from] of c.secrets) {
      const was = old.secrets.get(name);
      if (was !== undefined && was !== from) {
        out.push(secretWarn(rc, `container ${c.name}: secret ${name} now comes from another source (valueFrom: secret, JSON key or version pin changed)`, `container_definitions.${c.name}.secrets.${name}`, was, from));
      }
    }
  }
  return out;
}

/** Security findings of one change. */
export function securityFindings(rc: ResourceChange): Finding[] {
  if (rc.mode !== "managed") return [];
  return [...ingressFindings(rc), ...iamFindings(rc), ...switchedOffFindings(rc), ...secretFindings(rc)];
}
