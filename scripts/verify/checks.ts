/**
 * The checks of `npm run verify`, in the order of the guide's Step 9 and its Troubleshooting section:
 * 1 service, 2 stopped tasks, 3 log signatures, 4 target health, 5 certificate and DNS, 6 HTTPS,
 * 7 the OAuth2 client secret. Each returns a {@link CheckResult} with its evidence; AWS is read with
 * the SDK v3 clients in {@link VerifyClients}, HTTP and DNS through {@link Probes} so tests can stand in.
 */
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import type { ContainerDefinition, Deployment, Service, Task } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Listener, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CheckResult, Diagnosis, redact } from "../common/checks";
import { classify, LOG_SIGNATURES, Signature, STOP_SIGNATURES } from "./signatures";

/** One client per service. */
export interface VerifyClients {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly acm: ACMClient;
  readonly secrets: SecretsManagerClient;
}

/** An HTTP answer (the body read up to 64 KiB). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Network probes outside AWS: HTTPS requests (no redirects followed) and DNS lookups. */
export interface Probes {
  httpGet(url: string): Promise<HttpAnswer>;
  /** IPv4/IPv6 addresses of a host name (following CNAMEs). */
  lookup(host: string): Promise<string[]>;
}

/** What the checks look at (from the stack's outputs and the command line). */
export interface VerifyTarget {
  readonly cluster: string;
  readonly service: string;
  readonly logGroup: string;
  /** The workspace URL the checks request (`--url`, else the `url` output). */
  readonly url: string;
  /** The domain that must resolve to the ALB and be covered by the certificate (host of the `url` output). */
  readonly domain: string;
  readonly albDnsName: string;
  /** The OAuth2 client secret's ARN (`oauth2_secret_arn`). */
  readonly oauth2SecretArn?: string;
}

/** Everything a run needs. */
export interface VerifyContext {
  readonly clients: VerifyClients;
  readonly probes: Probes;
  readonly target: VerifyTarget;
  /** How far back logs are read; undefined: since the primary deployment started. */
  readonly sinceMs?: number;
  readonly now: () => Date;
}

/** The check ids, in report order (`--skip` takes these). */
export const CHECK_IDS = ["service", "stopped-tasks", "logs", "targets", "certificate", "dns", "https", "oauth2-secret"] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** Titles, numbered as the issue and docs list them. */
export const CHECK_TITLES: Record<CheckId, string> = {
  service: "1 ECS service",
  "stopped-tasks": "2 stopped tasks",
  logs: "3 log signatures",
  targets: "4 ALB targets",
  certificate: "5 TLS certificate",
  dns: "5 DNS",
  https: "6 HTTPS",
  "oauth2-secret": "7 OAuth2 client secret",
};

/** The port ZenML's server image listens on: `docker/base.Dockerfile` (EXPOSE 8080, uvicorn --port 8080) and the Helm chart's containerPort. */
export const ZENML_IMAGE_PORT = 8080;
/** Minimum remaining certificate validity. */
export const CERT_MIN_DAYS = 30;
/** Log events read at most per run (FilterLogEvents pages). */
const MAX_LOG_EVENTS = 20_000;
/** Lines of a container's log shown for a failed init container. */
const LAST_LINES = 5;
const DAY_MS = 86_400_000;

const short = (s: string, n = 240) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
const errText = (e: unknown) => `${(e as { name?: string }).name ?? "Error"}: ${(e as Error).message}`;
const result = (id: CheckId, status: CheckResult["status"], summary: string, evidence: string[] = [], diagnoses: Diagnosis[] = []): CheckResult => ({
  id,
  title: CHECK_TITLES[id],
  status,
  summary,
  evidence,
  ...(diagnoses.length > 0 ? { diagnoses } : {}),
});
const diagnosis = (s: Signature, example?: string, count?: number): Diagnosis => ({
  id: s.id,
  cause: s.cause,
  fix: s.fix,
  source: s.source,
  ...(example ? { example } : {}),
  ...(count ? { count } : {}),
});

/** What the service checks share: the service, its primary deployment and task definition. */
export interface ServiceState {
  readonly service?: Service;
  readonly primary?: Deployment;
  readonly containers: readonly ContainerDefinition[];
  readonly error?: string;
}

/** Reads the service and its task definition once per run. */
export async function loadService(ctx: VerifyContext): Promise<ServiceState> {
  const { cluster, service } = ctx.target;
  try {
    const out = await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const svc = out.services?.[0];
    if (!svc) return { containers: [], error: `service ${service} not found in cluster ${cluster} (${out.failures?.[0]?.reason ?? "no answer"})` };
    const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
    let containers: ContainerDefinition[] = [];
    if (svc.taskDefinition) {
      const td = await ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition }));
      containers = td.taskDefinition?.containerDefinitions ?? [];
    }
    return { service: svc, primary, containers };
  } catch (e) {
    return { containers: [], error: `DescribeServices ${cluster}/${service}: ${errText(e)}` };
  }
}

/** 1. ACTIVE, primary deployment COMPLETED (no circuit-breaker rollback), running == desired (guide Step 9.1). */
export function checkService(state: ServiceState): CheckResult {
  const svc = state.service;
  if (!svc) return result("service", "fail", state.error ?? "service not found");
  const evidence: string[] = [];
  const problems: string[] = [];
  if (svc.status !== "ACTIVE") problems.push(`status ${svc.status}`);
  const p = state.primary;
  if (!p) problems.push("no PRIMARY deployment");
  else {
    evidence.push(`primary deployment ${p.id} (${p.taskDefinition?.split("/").pop()}): ${p.rolloutState ?? "no rollout state"}${p.rolloutStateReason ? ` — ${p.rolloutStateReason}` : ""}`);
    if (p.rolloutState && p.rolloutState !== "COMPLETED") problems.push(`primary deployment ${p.rolloutState}`);
    if ((p.failedTasks ?? 0) > 0) evidence.push(`failed tasks in this deployment: ${p.failedTasks}`);
  }
  const failed = (svc.deployments ?? []).filter((d) => d.rolloutState === "FAILED" && d !== p);
  for (const d of failed) {
    problems.push(`deployment ${d.id} FAILED (circuit breaker)`);
    evidence.push(`deployment ${d.id} (${d.taskDefinition?.split("/").pop()}): FAILED — ${d.rolloutStateReason ?? ""}`);
  }
  const rollback = (svc.events ?? []).find((e) => /circuit breaker|rolling back/i.test(e.message ?? ""));
  if (rollback && failed.length === 0) {
    problems.push("circuit breaker rollback");
    evidence.push(`event ${rollback.createdAt?.toISOString() ?? ""}: ${short(rollback.message ?? "")}`);
  }
  const running = svc.runningCount ?? 0;
  const desired = svc.desiredCount ?? 0;
  if (running !== desired) problems.push(`running ${running} < desired ${desired}`.replace("<", running > desired ? ">" : "<"));
  const counts = `running ${running}, desired ${desired}, pending ${svc.pendingCount ?? 0}`;
  if (problems.length === 0) return result("service", "pass", `${svc.status}, deployment COMPLETED, ${counts}`, evidence);
  for (const e of (svc.events ?? []).slice(0, 3)) evidence.push(`event ${e.createdAt?.toISOString() ?? ""}: ${short(e.message ?? "")}`);
  return result("service", "fail", `${problems.join("; ")} (${counts})`, evidence);
}

const taskId = (t: Task) => t.taskArn?.split("/").pop() ?? "?";

/** Last lines of one container's awslogs stream (`<prefix>/<container>/<task id>`). */
async function lastLines(ctx: VerifyContext, container: ContainerDefinition | undefined, task: Task, name: string): Promise<string[]> {
  const opts = container?.logConfiguration?.options ?? {};
  const group = opts["awslogs-group"] ?? ctx.target.logGroup;
  const prefix = opts["awslogs-stream-prefix"] ?? "ecs";
  const stream = `${prefix}/${name}/${taskId(task)}`;
  try {
    const out = await ctx.clients.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit: LAST_LINES, startFromHead: false }));
    const lines = (out.events ?? []).map((e) => short(e.message ?? ""));
    return lines.length > 0 ? lines : [`(no lines in ${stream})`];
  } catch (e) {
    return [`(log stream ${stream}: ${errText(e)})`];
  }
}

/**
 * 2. The stopped tasks of the primary deployment: stoppedReason, every container's exit code and
 * reason, the init containers (migrate-database, writable-volumes) with their last log lines, and the
 * known stop reasons classified (guide Troubleshooting: Task Won't Start).
 */
export async function checkStoppedTasks(ctx: VerifyContext, state: ServiceState): Promise<CheckResult> {
  if (!state.service) return result("stopped-tasks", "skip", "not checked: the service could not be read");
  const { cluster, service } = ctx.target;
  const since = state.primary?.createdAt;
  let tasks: Task[] = [];
  try {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ctx.clients.ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: "STOPPED", nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken && arns.length < 100);
    if (arns.length > 0) tasks = (await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }))).tasks ?? [];
  } catch (e) {
    return result("stopped-tasks", "fail", `ListTasks/DescribeTasks: ${errText(e)}`);
  }
  const ofDeployment = tasks.filter((t) => (state.primary?.id && t.startedBy === state.primary.id) || (since && t.createdAt && t.createdAt >= since));
  const window = since ? `since deployment ${state.primary?.id} started ${since.toISOString()}` : "of the service";
  if (ofDeployment.length === 0) return result("stopped-tasks", "pass", `no stopped tasks ${window}`);
  const evidence: string[] = [];
  const found = new Map<string, { s: Signature; example: string; count: number }>();
  let bad = 0;
  const byName = new Map(state.containers.map((c) => [c.name ?? "", c]));
  for (const t of ofDeployment) {
    const reasons = [t.stoppedReason ?? "", ...(t.containers ?? []).map((c) => c.reason ?? "")].filter(Boolean);
    const nonZero = (t.containers ?? []).filter((c) => c.exitCode !== undefined && c.exitCode !== 0);
    const failedStart = t.stopCode === "TaskFailedToStart" || t.stopCode === "EssentialContainerExited";
    const signatures = reasons.map((r) => [r, classify(r, STOP_SIGNATURES)] as const).filter(([, s]) => s);
    const problem = failedStart || nonZero.length > 0 || signatures.length > 0;
    if (problem) bad++;
    evidence.push(`task ${taskId(t)} stopped${t.stopCode ? ` (${t.stopCode})` : ""}: ${short(t.stoppedReason ?? "no reason")}`);
    for (const c of t.containers ?? []) {
      evidence.push(`  ${c.name}: exit ${c.exitCode ?? "none"}${c.reason ? `, ${short(c.reason, 160)}` : ""}`);
      const initFailed = (c.name === "migrate-database" || c.name === "writable-volumes") && c.exitCode !== undefined && c.exitCode !== 0;
      const serverFailed = byName.get(c.name ?? "")?.essential !== false && c.exitCode !== undefined && c.exitCode !== 0;
      if (initFailed || serverFailed) for (const line of await lastLines(ctx, byName.get(c.name ?? ""), t, c.name ?? "")) evidence.push(`    | ${line}`);
    }
    for (const [reason, s] of signatures) {
      const hit = found.get(s!.id);
      if (hit) hit.count++;
      else found.set(s!.id, { s: s!, example: short(reason, 200), count: 1 });
    }
  }
  const diagnoses = [...found.values()].map((f) => diagnosis(f.s, f.example, f.count));
  if (bad === 0) return result("stopped-tasks", "pass", `${ofDeployment.length} task(s) stopped ${window}, none failed`, evidence);
  return result("stopped-tasks", "fail", `${bad} of ${ofDeployment.length} stopped task(s) ${window} failed`, evidence, diagnoses);
}

/**
 * 3. The log group since the primary deployment started (or `--since`), matched against the known
 * failure signatures (guide Step 9.2 and 9.4, Troubleshooting: Control Plane Connection Issues).
 */
export async function checkLogs(ctx: VerifyContext, state: ServiceState, secrets: readonly string[]): Promise<CheckResult> {
  const now = ctx.now().getTime();
  const start = ctx.sinceMs !== undefined ? now - ctx.sinceMs : (state.primary?.createdAt?.getTime() ?? now - 3_600_000);
  const found = new Map<string, { s: Signature; example: string; count: number }>();
  let events = 0;
  const streams = new Set<string>();
  try {
    let nextToken: string | undefined;
    do {
      const page = await ctx.clients.logs.send(new FilterLogEventsCommand({ logGroupName: ctx.target.logGroup, startTime: start, endTime: now, nextToken }));
      for (const e of page.events ?? []) {
        events++;
        if (e.logStreamName) streams.add(e.logStreamName);
        const s = classify(e.message ?? "", LOG_SIGNATURES);
        if (!s) continue;
        const hit = found.get(s.id);
        if (hit) hit.count++;
        else found.set(s.id, { s, example: short(redact(e.message ?? "", secrets), 200), count: 1 });
      }
      nextToken = page.nextToken;
    } while (nextToken && events < MAX_LOG_EVENTS);
  } catch (e) {
    return result("logs", "fail", `log group ${ctx.target.logGroup}: ${errText(e)}`);
  }
  const window = `${events} event(s) in ${streams.size} stream(s) of ${ctx.target.logGroup} since ${new Date(start).toISOString()}`;
  if (found.size === 0) return result("logs", "pass", `no known failure signature in ${window}`);
  const order = new Map(LOG_SIGNATURES.map((s, i) => [s.id, i]));
  const diagnoses = [...found.values()].sort((a, b) => order.get(a.s.id)! - order.get(b.s.id)!).map((f) => diagnosis(f.s, f.example, f.count));
  return result("logs", "fail", `${found.size} failure signature(s) in ${window}: ${diagnoses.map((d) => d.id).join(", ")}`, [], diagnoses);
}

/** What the ALB checks share: the service's target group, its load balancer's listeners. */
export interface LoadBalancerState {
  readonly targetGroup?: TargetGroup;
  readonly listeners: readonly Listener[];
  readonly containerPort?: number;
  readonly error?: string;
}

/** Reads the target group of the service and the listeners of its load balancer. */
export async function loadLoadBalancer(ctx: VerifyContext, state: ServiceState): Promise<LoadBalancerState> {
  const lb = state.service?.loadBalancers?.[0];
  if (!lb?.targetGroupArn) return { listeners: [], error: state.service ? "the service has no load balancer" : "the service could not be read" };
  try {
    const tg = (await ctx.clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [lb.targetGroupArn] }))).TargetGroups?.[0];
    const albArn = tg?.LoadBalancerArns?.[0];
    const listeners = albArn ? ((await ctx.clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: albArn }))).Listeners ?? []) : [];
    return { targetGroup: tg, listeners, containerPort: lb.containerPort };
  } catch (e) {
    return { listeners: [], error: `target group ${lb.targetGroupArn}: ${errText(e)}` };
  }
}

/**
 * 4. Target health of every registered target with its reason code; a failing health check together
 * with a port that ZenML's image does not listen on points to the port (guide Troubleshooting: Can't
 * Reach Server via HTTPS, step 2).
 */
export async function checkTargets(ctx: VerifyContext, state: ServiceState, lb: LoadBalancerState): Promise<CheckResult> {
  const tg = lb.targetGroup;
  if (!tg?.TargetGroupArn) return result("targets", lb.error?.includes("could not be read") ? "skip" : "fail", lb.error ?? "target group not found");
  const evidence: string[] = [];
  const forwards = lb.listeners.filter((l) => (l.DefaultActions ?? []).some((a) => a.TargetGroupArn === tg.TargetGroupArn || a.ForwardConfig?.TargetGroups?.some((g) => g.TargetGroupArn === tg.TargetGroupArn)));
  for (const l of lb.listeners) evidence.push(`listener ${l.Protocol} ${l.Port}: ${(l.DefaultActions ?? []).map((a) => a.Type).join(", ")}${forwards.includes(l) ? ` → ${tg.TargetGroupName}` : ""}`);
  const container = state.containers.find((c) => (c.portMappings ?? []).length > 0 && c.essential !== false);
  const containerPort = lb.containerPort ?? container?.portMappings?.[0]?.containerPort;
  const hcPort = tg.HealthCheckPort && tg.HealthCheckPort !== "traffic-port" ? Number(tg.HealthCheckPort) : tg.Port;
  evidence.push(`target group ${tg.TargetGroupName}: ${tg.Protocol} ${tg.Port}, health check ${tg.HealthCheckProtocol ?? ""} ${tg.HealthCheckPath ?? ""} on port ${hcPort}; container ${container?.name ?? "?"} port ${containerPort ?? "?"}`);
  let health;
  try {
    health = (await ctx.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [];
  } catch (e) {
    return result("targets", "fail", `DescribeTargetHealth: ${errText(e)}`, evidence);
  }
  const problems: string[] = [];
  if (forwards.length === 0) problems.push("no listener forwards to the target group");
  if (health.length === 0) problems.push("no targets registered (no task is running)");
  for (const h of health) {
    const th = h.TargetHealth;
    evidence.push(`target ${h.Target?.Id}:${h.Target?.Port}: ${th?.State ?? "?"}${th?.Reason ? ` ${th.Reason}` : ""}${th?.Description ? ` — ${th.Description}` : ""}`);
  }
  const unhealthy = health.filter((h) => h.TargetHealth?.State !== "healthy");
  if (unhealthy.length > 0) problems.push(`${unhealthy.length} of ${health.length} target(s) not healthy`);
  const diagnoses: Diagnosis[] = [];
  const failedChecks = unhealthy.some((h) => /^Target\.(FailedHealthChecks|Timeout|ResponseCodeMismatch)$/.test(h.TargetHealth?.Reason ?? ""));
  if (failedChecks) {
    const source = "zenml: docker/base.Dockerfile (EXPOSE 8080, uvicorn --port 8080), helm chart containerPort/targetPort 8080; guide Troubleshooting: Can't Reach Server via HTTPS";
    if (containerPort !== undefined && hcPort !== undefined && hcPort !== containerPort) {
      diagnoses.push({ id: "health-check-port", cause: `the health check probes port ${hcPort}, but the container is mapped on ${containerPort}`, fix: "let the target group check the traffic port (service.containerPort drives both)", source });
    } else if (containerPort !== undefined && containerPort !== ZENML_IMAGE_PORT) {
      diagnoses.push({
        id: "image-port",
        cause: `health checks fail on port ${containerPort}, but ZenML's server image listens on ${ZENML_IMAGE_PORT}: the image probably does not listen on the port the task maps`,
        fix: `check the image's port (npm run preflight, or docker inspect ... .Config.ExposedPorts) and set service.containerPort to it (or service.command with --port ${containerPort})`,
        source,
      });
    } else {
      diagnoses.push({ id: "health-check", cause: `the server does not answer ${tg.HealthCheckPath ?? "/health"} on port ${hcPort} with ${tg.Matcher?.HttpCode ?? "200"}`, fix: "see check 3 (log signatures) for why the server is not up", source });
    }
  }
  if (problems.length === 0) return result("targets", "pass", `${health.length} target(s) healthy behind ${forwards.map((l) => `${l.Protocol} ${l.Port}`).join(", ")}`, evidence);
  return result("targets", "fail", problems.join("; "), evidence, diagnoses);
}

/** 5a. The HTTPS listener's ACM certificate is ISSUED, covers the domain and is valid for more than 30 days (Troubleshooting: Can't Reach Server, step 3). */
export async function checkCertificate(ctx: VerifyContext, lb: LoadBalancerState): Promise<CheckResult> {
  const https = lb.listeners.find((l) => l.Protocol === "HTTPS");
  const arn = https?.Certificates?.[0]?.CertificateArn;
  if (!arn) return result("certificate", lb.targetGroup ? "fail" : "skip", lb.targetGroup ? "no HTTPS listener with a certificate on the ALB" : `not checked: ${lb.error ?? "no load balancer"}`);
  try {
    const c = (await ctx.clients.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
    const names = [c?.DomainName, ...(c?.SubjectAlternativeNames ?? [])].filter((n): n is string => !!n);
    const d = ctx.target.domain;
    const covers = names.some((n) => n === d || (n.startsWith("*.") && d.endsWith(n.slice(1)) && d.split(".").length === n.split(".").length));
    const days = c?.NotAfter ? Math.floor((c.NotAfter.getTime() - ctx.now().getTime()) / DAY_MS) : undefined;
    const evidence = [`${arn}: ${c?.Status}, ${c?.Type ?? ""}, names ${names.join(", ") || "none"}, not after ${c?.NotAfter?.toISOString() ?? "unknown"}`];
    const problems: string[] = [];
    if (c?.Status !== "ISSUED") problems.push(`status ${c?.Status}`);
    if (days === undefined) problems.push("no expiry date");
    else if (days <= CERT_MIN_DAYS) problems.push(`expires in ${days} day(s) (≤ ${CERT_MIN_DAYS})`);
    if (!covers) problems.push(`does not cover ${ctx.target.domain}`);
    if (problems.length === 0) return result("certificate", "pass", `ISSUED for ${ctx.target.domain}, valid ${days} more days`, evidence);
    return result("certificate", "fail", problems.join("; "), evidence);
  } catch (e) {
    return result("certificate", "fail", `DescribeCertificate ${arn}: ${errText(e)}`);
  }
}

/** 5b. The domain resolves to the ALB (same addresses; Troubleshooting: Can't Reach Server, step 4). */
export async function checkDns(ctx: VerifyContext): Promise<CheckResult> {
  const { domain, albDnsName } = ctx.target;
  const look = (h: string) => ctx.probes.lookup(h).then((a) => ({ a }), (e: Error) => ({ e: (e as { code?: string }).code ?? e.message }));
  const [d, alb] = await Promise.all([look(domain), look(albDnsName)]);
  const evidence = [`${domain}: ${"a" in d ? d.a.join(", ") : d.e}`, `${albDnsName}: ${"a" in alb ? alb.a.join(", ") : alb.e}`];
  if (!("a" in d)) return result("dns", "fail", `${domain} does not resolve (${d.e}): create the record (README Deploy step 5)`, evidence);
  if (!("a" in alb)) return result("dns", "fail", `the ALB name ${albDnsName} does not resolve (${alb.e})`, evidence);
  const shared = d.a.filter((x) => alb.a.includes(x));
  if (shared.length === 0) return result("dns", "fail", `${domain} resolves, but not to the ALB ${albDnsName}`, evidence);
  return result("dns", "pass", `${domain} resolves to the ALB (${shared.join(", ")})`, evidence);
}

/**
 * 6. `GET /health` answers 200, and `GET /` leads to the ZenML Pro login (guide Step 9.3). ZenML's
 * server answers `/` with the dashboard's index.html (`src/zenml/zen_server/zen_server_api.py`,
 * `dashboard`), whose script sends a visitor without a session to the Pro login; whether it does so is
 * decided by the server's deployment type, which `/api/v1/info` reports (`deployment_type` "cloud"
 * with `pro_dashboard_url`, `src/zenml/zen_stores/sql_zen_store.py`, get_store_info). So "leads to the
 * login" means: `/` answers 200 with HTML (or redirects), and the info says a Pro ("cloud") workspace
 * with a Pro dashboard URL.
 */
export async function checkHttps(ctx: VerifyContext): Promise<CheckResult> {
  const base = ctx.target.url.replace(/\/+$/, "");
  if (!base.startsWith("https://")) return result("https", "fail", `${base} is not an https:// URL`);
  const evidence: string[] = [];
  const problems: string[] = [];
  const get = async (p: string) => {
    try {
      return await ctx.probes.httpGet(`${base}${p}`);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const hint = code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? " (a private CA? pass --ca FILE or NODE_EXTRA_CA_CERTS)" : "";
      problems.push(`GET ${p}: ${code ?? (e as Error).message}${hint}`);
      return undefined;
    }
  };
  const health = await get("/health");
  if (health) {
    evidence.push(`GET /health: ${health.status} ${short(health.body, 60)}`);
    if (health.status !== 200) problems.push(`GET /health answered ${health.status}`);
  }
  const root = await get("/");
  if (root) {
    const type = String(root.headers["content-type"] ?? "");
    const location = root.headers.location ? String(root.headers.location) : "";
    evidence.push(`GET /: ${root.status} ${location ? `→ ${location}` : type}`);
    const ok = (root.status === 200 && /text\/html/.test(type)) || (root.status >= 300 && root.status < 400 && location !== "");
    if (!ok) problems.push(`GET / answered ${root.status} ${type || "(no content type)"}, not the dashboard`);
  }
  const info = await get("/api/v1/info");
  let login = "";
  if (info) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(info.body) as Record<string, unknown>;
    } catch {
      /* reported below */
    }
    evidence.push(`GET /api/v1/info: ${info.status} deployment_type=${String(body.deployment_type)} version=${String(body.version)} pro_dashboard_url=${String(body.pro_dashboard_url)}`);
    if (info.status !== 200 || body.deployment_type !== "cloud" || typeof body.pro_dashboard_url !== "string" || body.pro_dashboard_url === "") {
      problems.push("/api/v1/info does not describe a ZenML Pro workspace (deployment_type cloud with pro_dashboard_url), so the dashboard does not lead to the Pro login");
    } else login = body.pro_dashboard_url;
  }
  if (problems.length === 0) return result("https", "pass", `/health 200; / serves the dashboard, which sends visitors to the Pro login at ${login}`, evidence);
  return result("https", "fail", problems.join("; "), evidence);
}

/** 7. The OAuth2 client secret has a value; the value is returned only for redaction, never shown. */
export async function checkOauth2Secret(ctx: VerifyContext): Promise<{ result: CheckResult; value?: string }> {
  const arn = ctx.target.oauth2SecretArn;
  if (!arn) return { result: result("oauth2-secret", "skip", "not checked: no oauth2_secret_arn output") };
  try {
    const v = await ctx.clients.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    const value = v.SecretString ?? (v.SecretBinary ? Buffer.from(v.SecretBinary).toString("utf8") : "");
    if (value.trim() === "") return { result: result("oauth2-secret", "fail", `${arn} has an empty value: set it (README Deploy step 4)`) };
    return { result: result("oauth2-secret", "pass", `${arn} has a value (version ${v.VersionStages?.join(",") ?? v.VersionId}, not shown)`), value };
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === "ResourceNotFoundException" && !/can't find the specified secret\.?$/i.test((e as Error).message)) {
      return { result: result("oauth2-secret", "fail", `${arn} has no value yet: set it (README Deploy step 4)`) };
    }
    return { result: result("oauth2-secret", "fail", `GetSecretValue ${arn}: ${errText(e)}`) };
  }
}

/** Runs every check not in `skip`, in report order. Returns the results and the secret values to redact from any output. */
export async function runChecks(ctx: VerifyContext, skip: ReadonlySet<string> = new Set()): Promise<{ checks: CheckResult[]; secrets: string[] }> {
  const skipped = (id: CheckId) => result(id, "skip", "not checked (--skip)");
  const want = (id: CheckId) => !skip.has(id);
  const secret = want("oauth2-secret") || want("logs") ? await checkOauth2Secret(ctx) : undefined;
  const secrets = secret?.value ? [secret.value] : [];
  const state = await loadService(ctx);
  const lb = want("targets") || want("certificate") ? await loadLoadBalancer(ctx, state) : { listeners: [] };
  const run: Record<CheckId, () => Promise<CheckResult> | CheckResult> = {
    service: () => checkService(state),
    "stopped-tasks": () => checkStoppedTasks(ctx, state),
    logs: () => checkLogs(ctx, state, secrets),
    targets: () => checkTargets(ctx, state, lb),
    certificate: () => checkCertificate(ctx, lb),
    dns: () => checkDns(ctx),
    https: () => checkHttps(ctx),
    "oauth2-secret": () => secret!.result,
  };
  const checks: CheckResult[] = [];
  for (const id of CHECK_IDS) checks.push(want(id) ? await run[id]() : skipped(id));
  return { checks, secrets };
}
