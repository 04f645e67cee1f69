/**
 * One source of defaults: lib/config/schema.ts (DEFAULTS, PRESETS). Modules take the resolved values and
 * never fall back on their own copy; a default changed or deleted there is what the JSON gets.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { DEFAULTS, EnvironmentFileSchema } from "../lib/config/schema";
import { ROOT, StackJson, configFrom, only, resources, shippedFile, synthAll } from "./helpers";

/** Resource props the stacks build from config (`c.…`/`n.…`, or a spread of a config section), per module file. */
function configFedProps(): Map<string, Set<string>> {
  const prod = configFrom(shippedFile("prod"), "prod") as unknown as Record<string, Record<string, unknown>>;
  const fed = new Map<string, Set<string>>();
  for (const file of fs.readdirSync(path.join(ROOT, "stacks")).filter((f) => f.endsWith(".ts"))) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, "stacks", file), "utf8"), ts.ScriptTarget.ES2022, true);
    const moduleOf = new Map<string, string>();
    source.statements.filter(ts.isImportDeclaration).forEach((d) => {
      const from = (d.moduleSpecifier as ts.StringLiteral).text;
      const named = d.importClause?.namedBindings;
      if (from.startsWith("../modules/") && named && ts.isNamedImports(named)) named.elements.forEach((e) => moduleOf.set(e.name.text, `${from.slice(3)}.ts`));
    });
    const visit = (node: ts.Node) => {
      if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.arguments?.length) {
        const module = moduleOf.get(node.expression.getText(source));
        const props = node.arguments[node.arguments.length - 1];
        if (module && ts.isObjectLiteralExpression(props)) {
          const names = fed.get(module) ?? new Set<string>();
          for (const p of props.properties) {
            if (ts.isPropertyAssignment(p) && /\b[cn]\.[a-zA-Z]/.test(p.initializer.getText(source))) names.add(p.name.getText(source));
            if (ts.isSpreadAssignment(p)) {
              const section = /^c\.(\w+)$/.exec(p.expression.getText(source))?.[1];
              Object.keys(prod[section!] ?? {}).forEach((k) => names.add(k));
            }
          }
          fed.set(module, names);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return fed;
}

test("no module falls back on its own default for a prop the stacks feed from config", () => {
  const fed = configFedProps();
  // The scan found the stacks' modules and their config-fed props (it cannot pass by finding nothing).
  expect(fed.get("modules/load-balancer.ts")).toEqual(expect.objectContaining({ size: expect.any(Number) }));
  expect([...fed.get("modules/load-balancer.ts")!]).toEqual(expect.arrayContaining(["idleTimeoutSeconds", "healthCheck", "targetPort"]));
  expect([...fed.get("modules/database.ts")!]).toEqual(expect.arrayContaining(["backupRetentionDays", "instanceClass"]));
  expect([...fed.get("modules/network.ts")!]).toEqual(expect.arrayContaining(["subnetNewBits", "flowLogRetentionDays"]));
  const fallbacks: string[] = [];
  for (const [module, names] of fed) {
    const text = fs.readFileSync(path.join(ROOT, module), "utf8");
    for (const name of names) {
      for (const m of text.matchAll(new RegExp(`props\\.${name}\\s*(\\?\\?|\\|\\|)\\s*([^,;)\\n]+)`, "g"))) fallbacks.push(`${module}: props.${name} ${m[1]} ${m[2].trim()}`);
    }
  }
  expect(fallbacks).toEqual([]);
});

/** Defaults, a changed value each, and where the synthesized prod stack shows it. */
const FLOWS: { path: string[]; changed: unknown; read: (s: StackJson) => unknown; policy?: string }[] = [
  { path: ["loadBalancer", "idleTimeoutSeconds"], changed: 61, read: (s) => only(s, "aws_lb").idle_timeout },
  { path: ["loadBalancer", "healthCheck", "path"], changed: "/ready", read: (s) => only(s, "aws_lb_target_group").health_check.path, policy: "ZNALB8" },
  { path: ["loadBalancer", "healthCheck", "intervalSeconds"], changed: 31, read: (s) => only(s, "aws_lb_target_group").health_check.interval },
  { path: ["loadBalancer", "healthCheck", "unhealthyThreshold"], changed: 4, read: (s) => only(s, "aws_lb_target_group").health_check.unhealthy_threshold },
  { path: ["loadBalancer", "healthCheck", "matcher"], changed: "200-299", read: (s) => only(s, "aws_lb_target_group").health_check.matcher },
  { path: ["service", "healthCheckGracePeriodSeconds"], changed: 601, read: (s) => only(s, "aws_ecs_service").health_check_grace_period_seconds },
  { path: ["service", "targetCpuPercent"], changed: 71, read: (s) => only(s, "aws_appautoscaling_policy").target_tracking_scaling_policy_configuration.target_value },
  { path: ["database", "backupWindow"], changed: "01:00-02:00", read: (s) => only(s, "aws_db_instance").backup_window },
  {
    path: ["observability", "cpuAlarmPercent"],
    changed: 81,
    read: (s) => resources(s, "aws_cloudwatch_metric_alarm").find((a) => a.namespace === "AWS/ECS" && a.metric_name === "CPUUtilization")?.threshold,
  },
];

/** Runs `body` with DEFAULTS edited by `edit` at each flow's path, then restores them. */
function withDefaults(edit: (parent: Record<string, unknown>, key: string, flow: (typeof FLOWS)[number]) => void, body: () => void, flows = FLOWS): void {
  const saved = JSON.parse(JSON.stringify(DEFAULTS));
  try {
    for (const flow of flows) {
      const parent = flow.path.slice(0, -1).reduce((o: any, k) => o[k], DEFAULTS) as Record<string, unknown>;
      edit(parent, flow.path[flow.path.length - 1], flow);
    }
    body();
  } finally {
    for (const key of Object.keys(saved)) (DEFAULTS as any)[key] = saved[key];
  }
}

const synthProd = () => synthAll([configFrom(shippedFile("prod"), "prod")]).prod;

test("a default changed in lib/config/schema.ts is what the synthesized JSON gets", () => {
  const before = synthProd();
  withDefaults(
    (parent, key, flow) => (parent[key] = flow.changed),
    () => {
      const stack = synthProd();
      for (const flow of FLOWS) {
        expect({ default: flow.path.join("."), value: flow.read(before) }).not.toEqual({ default: flow.path.join("."), value: flow.changed });
        expect({ default: flow.path.join("."), value: flow.read(stack) }).toEqual({ default: flow.path.join("."), value: flow.changed });
      }
    },
  );
});

test("a default deleted in lib/config/schema.ts is gone from the JSON: no module supplies its own", () => {
  withDefaults(
    (parent, key) => delete parent[key],
    () => {
      const stack = synthProd();
      for (const flow of FLOWS.filter((f) => !f.policy)) expect({ default: flow.path.join("."), value: flow.read(stack) }).toEqual({ default: flow.path.join("."), value: undefined });
    },
    FLOWS.filter((f) => !f.policy),
  );
  // A default the policy pack requires: deleting it stops the synth (no module quietly fills it in).
  for (const flow of FLOWS.filter((f) => f.policy)) {
    withDefaults((parent, key) => delete parent[key], () => expect(synthProd).toThrow(new RegExp(`${flow.policy} .*aws_lb_target_group`)), [flow]);
  }
});

test("the config reference's @default texts state the values of DEFAULTS", () => {
  const mismatches: string[] = [];
  let compared = 0;
  const walk = (value: unknown, at: string[], schema: any) => {
    const field = schema?.unwrap?.() ?? schema;
    if (value && typeof value === "object" && !Array.isArray(value) && field?.shape && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...at, k], field.shape[k]);
      return;
    }
    const stated = (schema?.description ?? "").split(" @default ")[1];
    if (stated === undefined) return; // an object documented as a whole (e.g. podResources) or a non-field default
    const expected = typeof value === "object" ? JSON.stringify(value) : String(value);
    compared++;
    if (!stated.startsWith(expected) && !stated.includes(`: ${expected}`)) mismatches.push(`${at.join(".")}: DEFAULTS has ${expected}, the schema says "@default ${stated}"`);
  };
  const shape = EnvironmentFileSchema.shape as Record<string, any>;
  for (const [section, values] of Object.entries(DEFAULTS)) {
    if (typeof values === "object" && shape[section]) walk(values, [section], shape[section]);
  }
  expect(compared).toBeGreaterThan(30);
  // image: the repository is named in words ("the ZenML Pro ECR repository").
  expect(mismatches.filter((m) => !m.startsWith("zenml.image:"))).toEqual([]);
});
