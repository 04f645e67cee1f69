/**
 * The CloudWatch dashboard of every workspace stack (modules/dashboard.ts), checked on the synthesized
 * JSON: the body is a `jsonencode(...)` expression; it is parsed, and every Terraform reference in it
 * must resolve to a resource of the same stack, of the type and attribute its dimension needs.
 */
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { ROOT, StackJson, synthAll, synthShipped } from "./helpers";

/** A Terraform reference inside the expression, e.g. `aws_ecs_cluster.x.name`. */
interface Ref {
  readonly ref: string;
}
type Value = string | number | boolean | Ref | Value[] | { [k: string]: Value };
const isRef = (v: unknown): v is Ref => typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "ref" in v;

/**
 * Parses the HCL expression cdktf writes for `Fn.jsonencode(object)`: `${jsonencode({"k" = v, ...})}`
 * with JSON strings, numbers, tuples, objects and bare references.
 */
function parseJsonencode(expr: string): Value {
  const m = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(expr);
  if (!m) throw new Error(`not a jsonencode expression: ${expr.slice(0, 80)}`);
  const src = m[1];
  let i = 0;
  const ws = () => {
    while (/\s/.test(src[i] ?? "")) i++;
  };
  const expect = (c: string) => {
    ws();
    if (src[i] !== c) throw new Error(`expected '${c}' at ${i}: ${src.slice(i, i + 40)}`);
    i++;
  };
  const value = (): Value => {
    ws();
    const c = src[i];
    if (c === '"') {
      const s = /^"(?:[^"\\]|\\.)*"/.exec(src.slice(i))![0];
      i += s.length;
      const text = JSON.parse(s) as string;
      if (text.includes("${")) throw new Error(`interpolated string in the body: ${s}`);
      return text;
    }
    if (c === "[") {
      i++;
      const items: Value[] = [];
      ws();
      while (src[i] !== "]") {
        items.push(value());
        ws();
        if (src[i] === ",") i++;
        ws();
      }
      i++;
      return items;
    }
    if (c === "{") {
      i++;
      const obj: Record<string, Value> = {};
      ws();
      while (src[i] !== "}") {
        const key = value();
        if (typeof key !== "string") throw new Error(`object key is not a string at ${i}`);
        expect("=");
        obj[key] = value();
        ws();
        if (src[i] === ",") i++;
        ws();
      }
      i++;
      return obj;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    const ref = /^[a-z][\w-]*(\.[\w-]+|\[\d+\])+/.exec(src.slice(i));
    if (ref) {
      i += ref[0].length;
      return { ref: ref[0] };
    }
    throw new Error(`unexpected input at ${i}: ${src.slice(i, i + 40)}`);
  };
  const v = value();
  ws();
  if (i !== src.length) throw new Error(`trailing input at ${i}`);
  return v;
}

/** The resource a reference names (`type.name.attr...`), or undefined. */
function resolve(stack: StackJson, r: Ref): { type: string; name: string; attr: string; config: any } | undefined {
  const [type, name, ...rest] = r.ref.split(".");
  const config = stack.resource[type]?.[name];
  return config ? { type, name, attr: rest.join("."), config } : undefined;
}

/** Which resource attribute each dimension's value must come from. */
const DIMENSION_SOURCE: Record<string, string> = {
  ClusterName: "aws_ecs_cluster.name",
  ServiceName: "aws_ecs_service.name",
  LoadBalancer: "aws_lb.arn_suffix",
  TargetGroup: "aws_lb_target_group.arn_suffix",
  DBInstanceIdentifier: "aws_db_instance.identifier",
};
/** Metric names each AWS namespace publishes with those dimensions (the services' CloudWatch metric references). */
const AWS_METRICS: Record<string, string[]> = {
  "AWS/ECS": ["CPUUtilization", "MemoryUtilization"],
  "ECS/ContainerInsights": ["RunningTaskCount", "DesiredTaskCount"],
  "AWS/ApplicationELB": ["RequestCount", "HTTPCode_ELB_4XX_Count", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count", "TargetResponseTime", "HealthyHostCount", "UnHealthyHostCount"],
  "AWS/RDS": ["CPUUtilization", "DatabaseConnections", "FreeStorageSpace", "ReadLatency", "WriteLatency"],
};

/** Everything wrong with the dashboard of `stack`, as readable problems ([] when every widget is sound). */
function dashboardProblems(stack: StackJson): string[] {
  const problems: string[] = [];
  const dashboards = Object.values(stack.resource.aws_cloudwatch_dashboard ?? {});
  if (dashboards.length !== 1) return [`${dashboards.length} dashboards`];
  const body = parseJsonencode(dashboards[0].dashboard_body) as any;
  const region = stack.provider.aws.find((p: any) => !p.alias).region;
  const mustResolve = (r: Ref, what: string) => {
    const target = resolve(stack, r);
    if (!target) problems.push(`${what}: ${r.ref} is not a resource of this stack`);
    return target;
  };
  const refsIn = (v: Value): Ref[] => (isRef(v) ? [v] : Array.isArray(v) ? v.flatMap(refsIn) : typeof v === "object" ? Object.values(v).flatMap(refsIn) : []);
  for (const r of refsIn(body)) mustResolve(r, "reference");

  const filters = stack.resource.aws_cloudwatch_log_metric_filter ?? {};
  const filtersShown = new Set<string>();
  for (const w of body.widgets) {
    if (w.type === "alarm") {
      const alarms: Value[] = w.properties.alarms;
      const names = alarms.map((a) => (isRef(a) && /^aws_cloudwatch_metric_alarm\.[\w-]+\.arn$/.test(a.ref) ? a.ref.split(".")[1] : `not an alarm ARN reference: ${JSON.stringify(a)}`));
      const all = Object.keys(stack.resource.aws_cloudwatch_metric_alarm ?? {});
      if (JSON.stringify([...names].sort()) !== JSON.stringify([...all].sort())) problems.push(`alarm widget lists ${names.join(", ")}; the stack has ${all.join(", ")}`);
      continue;
    }
    if (w.type !== "metric") {
      problems.push(`unexpected widget type ${w.type}`);
      continue;
    }
    const title = w.properties.title;
    if (w.properties.region !== region) problems.push(`${title}: region ${w.properties.region}, the stack's is ${region}`);
    for (const metric of w.properties.metrics as Value[][]) {
      const options = metric[metric.length - 1] as any;
      if (typeof options !== "object" || isRef(options) || !options.stat) problems.push(`${title}: metric without a stat`);
      const [namespace, name, ...dims] = metric.slice(0, -1);
      // A log-signature metric: the name (and the namespace, unless literal) comes from one of the stack's metric filters.
      if (isRef(name)) {
        const f = resolve(stack, name);
        if (f?.type !== "aws_cloudwatch_log_metric_filter" || f.attr !== "metric_transformation[0].name") {
          problems.push(`${title}: metric name ${name.ref} is not a log metric filter's metric`);
          continue;
        }
        const ns = isRef(namespace) ? (resolve(stack, namespace)?.attr === "metric_transformation[0].namespace" && namespace.ref.startsWith(`${f.type}.${f.name}.`) ? f.config.metric_transformation.namespace : undefined) : namespace;
        if (ns !== f.config.metric_transformation.namespace) problems.push(`${title}: namespace ${JSON.stringify(namespace)} is not that of ${f.name}`);
        filtersShown.add(f.name);
        continue;
      }
      if (!AWS_METRICS[namespace as string]?.includes(name as string)) problems.push(`${title}: ${namespace} ${name} is not a metric this dashboard knows`);
      if (dims.length === 0) problems.push(`${title}: ${name} has no dimensions`);
      const named: Record<string, { type: string; name: string; config: any }> = {};
      for (let d = 0; d < dims.length; d += 2) {
        const [dim, value] = [dims[d] as string, dims[d + 1]];
        const source = DIMENSION_SOURCE[dim];
        const target = isRef(value) ? resolve(stack, value) : undefined;
        if (!source || !target || `${target.type}.${target.attr}` !== source) problems.push(`${title}: ${name} ${dim}=${JSON.stringify(value)} is not the ${source ?? "known dimension"} of a resource in this stack`);
        else named[dim] = target;
      }
      // Dimensions of one metric name resources that belong together: the service runs in that cluster,
      // the target group is the service's and the ALB forwards to it.
      const ref = (t: { type: string; name: string }, attr: string) => `\${${t.type}.${t.name}.${attr}}`;
      const { ClusterName: cluster, ServiceName: service, LoadBalancer: alb, TargetGroup: tgroup } = named;
      // Task counts exist only with Container Insights on the cluster (ECS/ContainerInsights namespace).
      if (namespace === "ECS/ContainerInsights" && !(cluster?.config.setting ?? []).some((x: any) => x.name === "containerInsights" && x.value === "enabled")) {
        problems.push(`${title}: ${name} needs Container Insights on cluster ${cluster?.name}`);
      }
      if (cluster && service && service.config.cluster !== ref(cluster, "arn")) problems.push(`${title}: ${name}: service ${service.name} is not in cluster ${cluster.name}`);
      if (alb && tgroup) {
        const forwards = Object.values(stack.resource.aws_lb_listener ?? {}).some(
          (l: any) => l.load_balancer_arn === ref(alb, "arn") && (l.default_action ?? []).some((a: any) => a.target_group_arn === ref(tgroup, "arn")),
        );
        const served = Object.values(stack.resource.aws_ecs_service ?? {}).some((svc: any) => (svc.load_balancer ?? []).some((l: any) => l.target_group_arn === ref(tgroup, "arn")));
        if (!forwards || !served) problems.push(`${title}: ${name}: ${alb.name} does not forward to ${tgroup.name}, or no service registers in it`);
      }
    }
  }
  const allFilters = Object.keys(filters);
  if (JSON.stringify([...filtersShown].sort()) !== JSON.stringify(allFilters.sort())) problems.push(`log metrics shown: ${[...filtersShown].join(", ")}; filters: ${allFilters.join(", ")}`);
  return problems;
}

const workspaceStacks = (stacks: Record<string, StackJson>) => Object.entries(stacks).filter(([, s]) => s.resource.aws_ecs_service);

describe.each([
  ["shipped", () => synthShipped()],
  ["examples/multi-workspace", () => synthAll(loadEnvironments(path.join(ROOT, "examples", "multi-workspace", "config")))],
])("%s", (_, synth) => {
  const stacks = synth();
  const workspaces = workspaceStacks(stacks);

  test("every workspace stack has one dashboard and outputs its console URL; other stacks have none", () => {
    expect(workspaces.length).toBeGreaterThan(0);
    for (const [name, stack] of Object.entries(stacks)) {
      const dashboards = Object.entries(stack.resource.aws_cloudwatch_dashboard ?? {});
      if (!stack.resource.aws_ecs_service) {
        expect([name, dashboards.length]).toEqual([name, 0]);
        continue;
      }
      expect(dashboards).toHaveLength(1);
      const [id, d] = dashboards[0];
      const region = stack.provider.aws.find((p: any) => !p.alias).region;
      expect(stack.output.dashboard_url.value).toBe(
        `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/\${aws_cloudwatch_dashboard.${id}.dashboard_name}`,
      );
      expect(d.dashboard_name).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
    }
  });

  test("every widget references metrics and dimensions of resources in the same stack", () => {
    for (const [name, stack] of workspaces) expect([name, dashboardProblems(stack)]).toEqual([name, []]);
  });

  test("it shows ECS CPU, memory, running vs desired tasks; ALB requests, 4xx/5xx, response time, target health; RDS CPU, connections, storage, latency; the log signatures; the alarms", () => {
    for (const [, stack] of workspaces) {
      const body = parseJsonencode(Object.values(stack.resource.aws_cloudwatch_dashboard)[0].dashboard_body) as any;
      const shown = body.widgets
        .filter((w: any) => w.type === "metric")
        .flatMap((w: any) => w.properties.metrics.map((m: any[]) => (typeof m[1] === "string" ? `${m[0]} ${m[1]}` : "log-signature")));
      expect(new Set(shown)).toEqual(new Set([...Object.entries(AWS_METRICS).flatMap(([ns, names]) => names.map((n) => `${ns} ${n}`)), "log-signature"]));
      expect(body.widgets.filter((w: any) => w.type === "alarm")).toHaveLength(1);
      // Widgets sit on the 24-column grid without overlapping.
      const cells = new Set<string>();
      for (const w of body.widgets) {
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        for (let x = w.x; x < w.x + w.width; x++) for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

test("the check fails on a reference to another stack's resource, a literal dimension, a service of another cluster, task counts without Container Insights, or a missing alarm", () => {
  const dev = synthShipped().dev;
  const d = Object.values(dev.resource.aws_cloudwatch_dashboard)[0];
  const variant = (edit: (body: string) => string): StackJson => {
    const copy = JSON.parse(JSON.stringify(dev));
    Object.values(copy.resource.aws_cloudwatch_dashboard as Record<string, any>)[0].dashboard_body = edit(d.dashboard_body);
    return copy;
  };
  const cluster = Object.keys(dev.resource.aws_ecs_cluster)[0];
  expect(dashboardProblems(variant((b) => b.replace(`aws_ecs_cluster.${cluster}.name`, "aws_ecs_cluster.elsewhere.name")))).toEqual(
    expect.arrayContaining([expect.stringContaining("aws_ecs_cluster.elsewhere.name is not a resource of this stack")]),
  );
  expect(dashboardProblems(variant((b) => b.replace(`aws_ecs_cluster.${cluster}.name`, '"zenml-hybrid-dev"'))).join("\n")).toMatch(/ClusterName="zenml-hybrid-dev" is not the aws_ecs_cluster\.name/);
  const moved = variant((b) => b);
  for (const svc of Object.values(moved.resource.aws_ecs_service as Record<string, any>)) svc.cluster = "${aws_ecs_cluster.other.arn}";
  expect(dashboardProblems(moved).join("\n")).toMatch(/is not in cluster/);
  const noInsights = variant((b) => b);
  for (const c of Object.values(noInsights.resource.aws_ecs_cluster as Record<string, any>)) c.setting = [{ name: "containerInsights", value: "disabled" }];
  expect(dashboardProblems(noInsights).join("\n")).toMatch(/RunningTaskCount needs Container Insights/);
  const alarm = Object.keys(dev.resource.aws_cloudwatch_metric_alarm)[0];
  expect(dashboardProblems(variant((b) => b.replace(new RegExp(`aws_cloudwatch_metric_alarm\\.${alarm}\\.arn, ?`), "")))).toEqual([expect.stringMatching(/^alarm widget lists/)]);
});
