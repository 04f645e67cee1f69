/**
 * OpenTofu compatibility of the synthesized Terraform JSON (docs/opentofu.md): a static check that
 * every stack of the shipped config and of every example uses only constructs that OpenTofu >= 1.11
 * accepts with the same meaning. OpenTofu itself is not installable on this project's machines, so
 * this check stands in for `tofu validate`; anything new here fails until it is checked and allowed.
 */
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { CONFIG_DIR, ROOT, StackJson, synthAll } from "./helpers";

/** Top-level blocks both engines read in JSON syntax ("//" is the JSON comment key). */
const TOP_LEVEL = ["//", "terraform", "provider", "resource", "data", "ephemeral", "output", "variable", "locals", "module", "moved", "import", "check"];
/**
 * Ephemeral resources and write-only arguments: OpenTofu >= 1.11 ("Ephemeral resources can be used only
 * with OpenTofu from v1.11 onwards", opentofu.org/docs/language/ephemerality/ephemeral-resources; the
 * same page family for write-only attributes). Each type and argument is listed once checked.
 */
const EPHEMERAL_TYPES = ["aws_secretsmanager_random_password"];
const WRITE_ONLY: Record<string, string[]> = { aws_secretsmanager_secret_version: ["secret_string_wo", "secret_string_wo_version"] };
/** Settings of the `terraform` block: no `cloud {}` (HCP Terraform) and no experiments. */
const TERRAFORM_BLOCK = ["required_version", "required_providers", "backend"];
/** Backends and their arguments, as OpenTofu's s3 backend reads them (use_lockfile: OpenTofu >= 1.10). */
const BACKENDS: Record<string, string[]> = {
  s3: ["bucket", "key", "region", "encrypt", "use_lockfile", "dynamodb_table", "kms_key_id", "workspace_key_prefix"],
  local: ["path"],
};
/** Lifecycle arguments of both engines. */
const LIFECYCLE = ["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by", "precondition", "postcondition"];
/** Built-in functions this app may call; all exist with the same behaviour in Terraform 1.5+ and OpenTofu 1.6+. */
const FUNCTIONS = [
  "cidrsubnet", "element", "tolist", "toset", "tomap", "tostring", "tonumber", "lookup", "length", "keys", "values", "jsonencode",
  "jsondecode", "join", "split", "format", "replace", "lower", "upper", "concat", "flatten", "merge", "contains", "coalesce",
  "try", "can", "distinct", "sort", "substr", "trimprefix", "trimsuffix", "startswith", "endswith", "base64encode",
];

const EXAMPLES = path.join(ROOT, "examples");
const CONFIG_DIRS: Record<string, string> = {
  config: CONFIG_DIR,
  ...(fs.existsSync(EXAMPLES) ? Object.fromEntries(fs.readdirSync(EXAMPLES).map((e) => [`examples/${e}`, path.join(EXAMPLES, e, "config")])) : {}),
};

const stacks: [string, StackJson][] = Object.entries(CONFIG_DIRS).flatMap(([name, dir]) =>
  Object.entries(synthAll(loadEnvironments(dir))).map(([stack, json]): [string, StackJson] => [`${name}/${stack}`, json]),
);

/** Every string in a JSON value, with the path where it is. */
function strings(value: unknown, at = ""): [string, string][] {
  if (typeof value === "string") return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  return [];
}

/** The expressions inside `${...}` of a template string (string literals inside them blanked). */
export function interpolations(template: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== "$" || template[i + 1] !== "{" || template[i - 1] === "$") continue;
    let depth = 1;
    let expr = "";
    for (i += 2; i < template.length && depth > 0; i++) {
      const c = template[i];
      if (c === '"') {
        // skip a string literal of the expression
        for (i++; i < template.length && template[i] !== '"'; i++) if (template[i] === "\\") i++;
        expr += '""';
        continue;
      }
      if (c === "{") depth++;
      if (c === "}") depth--;
      if (depth > 0) expr += c;
    }
    found.push(expr);
  }
  return found;
}

/** Names of the functions called in an expression (`provider::x::f` included). */
function functionsCalled(expression: string): string[] {
  return [...expression.matchAll(/(?<![\w.])([a-z_][a-z0-9_]*(?:::[a-z0-9_]+)*)\s*\(/g)].map((m) => m[1]);
}

test("every shipped and example stack is checked", () => {
  expect(stacks.map(([name]) => name)).toEqual(expect.arrayContaining(["config/dev", "config/prod", "config/state-bootstrap"]));
});

/** What in one stack's Terraform JSON OpenTofu >= 1.11 might reject or read differently. */
function tofuProblems(json: Record<string, any>): string[] {
  const problems: string[] = [];

  for (const key of Object.keys(json).filter((k) => k !== "raw")) {
    if (!TOP_LEVEL.includes(key)) problems.push(`top-level block '${key}' (Terraform-only or unchecked, e.g. removed/action)`);
  }
  for (const type of Object.keys(json.ephemeral ?? {})) {
    if (!EPHEMERAL_TYPES.includes(type)) problems.push(`ephemeral.${type}: ephemeral resource type not on the checked list`);
  }
  for (const key of Object.keys(json.terraform ?? {})) {
    if (!TERRAFORM_BLOCK.includes(key)) problems.push(`terraform.${key} (e.g. cloud {} is HCP Terraform only)`);
  }
  for (const [type, args] of Object.entries<Record<string, unknown>>(json.terraform?.backend ?? {})) {
    const allowed = BACKENDS[type];
    if (!allowed) problems.push(`backend '${type}'`);
    else for (const arg of Object.keys(args)) if (!allowed.includes(arg)) problems.push(`backend ${type}.${arg}`);
  }
  for (const [local, req] of Object.entries<{ source: string }>(json.terraform?.required_providers ?? {})) {
    // A source without a host resolves to registry.opentofu.org under OpenTofu, registry.terraform.io under Terraform.
    if (!/^([a-z0-9-]+\/)?[a-z0-9-]+$/.test(req.source)) problems.push(`required_providers.${local}.source '${req.source}' names a registry host`);
  }

  for (const [kind, byType] of [["resource", json.resource], ["data", json.data]] as const) {
    for (const [type, byName] of Object.entries<Record<string, any>>(byType ?? {})) {
      for (const [name, body] of Object.entries<any>(byName)) {
        const address = `${kind}.${type}.${name}`;
        for (const arg of Object.keys(body.lifecycle ?? {})) if (!LIFECYCLE.includes(arg)) problems.push(`${address}: lifecycle.${arg}`);
        for (const [at] of strings(body).concat(Object.keys(body).map((k): [string, string] => [`.${k}`, ""]))) {
          // write-only arguments (Terraform 1.11+): never sent to state; OpenTofu handles them differently
          const wo = /^\.([a-z0-9_]+_wo(_version)?)$/.exec(at);
          if (wo && (WRITE_ONLY[type] ?? []).includes(wo[1])) continue;
          if (/(^|\.)[a-z0-9_]+_wo(_version)?($|\[|\.)/.test(at)) problems.push(`${address}: write-only argument ${at} not on the checked list`);
        }
      }
    }
  }

  for (const [at, value] of strings(json)) {
    if (at.startsWith(".//") || at === ".raw") continue;
    for (const expression of interpolations(value)) {
      for (const fn of functionsCalled(expression)) {
        if (!FUNCTIONS.includes(fn)) problems.push(`${at}: function ${fn}() is not on the checked list`);
      }
    }
  }
  return [...new Set(problems)];
}

test.each(stacks)("%s: only constructs OpenTofu >= 1.11 reads the same way", (_name, stack) => {
  expect(tofuProblems(stack as unknown as Record<string, any>)).toEqual([]);
});

test("the check flags what OpenTofu rejects or reads differently", () => {
  const problems = tofuProblems({
    terraform: {
      cloud: { organization: "o" },
      backend: { s3: { bucket: "b", use_path_style: true } },
      required_providers: { aws: { source: "registry.terraform.io/hashicorp/aws" } },
    },
    ephemeral: { aws_secretsmanager_secret_version: {} },
    resource: {
      aws_db_instance: { db: { password_wo: "x", lifecycle: { destroy: false }, tags: { a: "${templatestring(x, {})}" } } },
    },
  });
  expect(problems).toEqual([
    "ephemeral.aws_secretsmanager_secret_version: ephemeral resource type not on the checked list",
    "terraform.cloud (e.g. cloud {} is HCP Terraform only)",
    "backend s3.use_path_style",
    "required_providers.aws.source 'registry.terraform.io/hashicorp/aws' names a registry host",
    "resource.aws_db_instance.db: lifecycle.destroy",
    "resource.aws_db_instance.db: write-only argument .password_wo not on the checked list",
    ".resource.aws_db_instance.db.tags.a: function templatestring() is not on the checked list",
  ]);
});

test("the expression scanner finds calls only inside interpolations", () => {
  expect(interpolations('{"cmd":"curl (x)","v":"${cidrsubnet(aws_vpc.v.cidr_block, 4, 1)}"}')).toEqual(["cidrsubnet(aws_vpc.v.cidr_block, 4, 1)"]);
  expect(interpolations('${{ for k, v in tolist(x): v.name => v }} $${literal(1)}')).toEqual(["{ for k, v in tolist(x): v.name => v }"]);
  expect(interpolations('${lookup(m, "a(b)", "}")}').flatMap(functionsCalled)).toEqual(["lookup"]);
  expect(functionsCalled("provider::aws::arn_parse(x)")).toEqual(["provider::aws::arn_parse"]);
});
