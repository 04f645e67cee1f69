/**
 * `npm run verify`: every check against AWS SDK mocks (aws-sdk-client-mock), stand-in HTTP/DNS probes
 * and a fixed clock. A healthy service passes; each failure class of checks 1–7 fails with its
 * evidence; every failure signature of the table has a case here and yields its diagnosis.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { formatDuration, parseDuration } from "../scripts/common/args";
import { OPERATIONS_DOC_FILE, operationsDocWithSignatures } from "../scripts/generate-schema";
import { CheckReport, renderText } from "../scripts/common/checks";
import { CHECK_IDS, HttpAnswer, Probes } from "../scripts/verify/checks";
import { main, regionOf, VerifyDeps } from "../scripts/verify/run";
import { LOG_SIGNATURES, Matcher, signaturesMarkdown, STOP_SIGNATURES } from "../scripts/verify/signatures";

const NOW = new Date("2026-06-01T12:00:00Z");
const DEPLOYED = new Date("2026-06-01T11:40:00Z");
const CANARY = "canary-oauth2-secret-Zq8xV3";
const TG = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/zenml-dev/abc";
const ALB = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/zenml-dev/def";
const CERT = "arn:aws:acm:eu-central-1:123456789012:certificate/0000";
const SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:zenml/pro/oauth2-client-secret-dev-AbCdEf";

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const acm = mockClient(ACMClient);
const sm = mockClient(SecretsManagerClient);

const DASHBOARD_URL = "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/zenml-hybrid-dev";
let outputsFile: string;
beforeAll(() => {
  outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-")), "outputs.json");
  const out = {
    url: "https://zenml-dev.mycompany.com",
    alb_dns_name: "zenml-dev-123.eu-central-1.elb.amazonaws.com",
    cluster_name: "zenml-hybrid-dev",
    service_name: "zenml-server",
    log_group: "/ecs/zenml-hybrid-dev",
    oauth2_secret_arn: SECRET,
    dashboard_url: DASHBOARD_URL,
  };
  fs.writeFileSync(outputsFile, JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, value]) => [k, { value, type: "string", sensitive: false }]))));
});

/** A healthy deployment: every mock answers as AWS does for a working service. */
function healthy(port = 8080): void {
  for (const m of [ecs, logs, elb, acm, sm]) m.reset();
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: "zenml-server",
        status: "ACTIVE",
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        taskDefinition: "arn:aws:ecs:eu-central-1:123456789012:task-definition/zenml-hybrid-dev:7",
        loadBalancers: [{ targetGroupArn: TG, containerName: "zenml-server", containerPort: port }],
        deployments: [{ id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", createdAt: DEPLOYED, taskDefinition: "td/zenml-hybrid-dev:7", failedTasks: 0 }],
        events: [{ createdAt: NOW, message: "(service zenml-server) has reached a steady state." }],
      },
    ],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      containerDefinitions: [
        { name: "zenml-server", essential: true, portMappings: [{ containerPort: port }], logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/zenml-hybrid-dev", "awslogs-stream-prefix": "ecs" } } },
        { name: "migrate-database", essential: false, logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/zenml-hybrid-dev", "awslogs-stream-prefix": "ecs" } } },
        { name: "writable-volumes", essential: false },
      ],
    },
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  logs.on(FilterLogEventsCommand).resolves({
    events: [
      { logStreamName: "ecs/zenml-server/t1", message: "INFO:     Uvicorn running on http://0.0.0.0:8080" },
      { logStreamName: "ecs/migrate-database/t1", message: "migration lock acquired; running zenml migrate-database" },
    ],
  });
  elb.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [{ TargetGroupArn: TG, TargetGroupName: "zenml-dev", Protocol: "HTTP", Port: port, HealthCheckPort: "traffic-port", HealthCheckPath: "/health", HealthCheckProtocol: "HTTP", LoadBalancerArns: [ALB], Matcher: { HttpCode: "200" } }],
  });
  elb.on(DescribeListenersCommand).resolves({
    Listeners: [
      { Protocol: "HTTPS", Port: 443, Certificates: [{ CertificateArn: CERT }], DefaultActions: [{ Type: "forward", TargetGroupArn: TG }] },
      { Protocol: "HTTP", Port: 80, DefaultActions: [{ Type: "redirect" }] },
    ],
  });
  elb.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: "10.0.1.10", Port: port }, TargetHealth: { State: "healthy" } },
      { Target: { Id: "10.0.2.11", Port: port }, TargetHealth: { State: "healthy" } },
    ],
  });
  acm.on(DescribeCertificateCommand).resolves({
    Certificate: { CertificateArn: CERT, DomainName: "*.mycompany.com", Status: "ISSUED", Type: "AMAZON_ISSUED", NotAfter: new Date("2026-12-01T00:00:00Z") },
  });
  sm.on(GetSecretValueCommand).resolves({ SecretString: CANARY, VersionStages: ["AWSCURRENT"] });
}

type Routes = Record<string, HttpAnswer | Error>;
const HTTP_OK: Routes = {
  "/health": { status: 200, headers: { "content-type": "application/json" }, body: '"OK"' },
  "/": { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: "<!doctype html><title>ZenML Dashboard</title>" },
  "/api/v1/info": { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ deployment_type: "cloud", version: "0.84.3", pro_dashboard_url: "https://cloud.zenml.io" }) },
};

function probes(routes: Routes = HTTP_OK, dnsMap: Record<string, string[] | Error> = {}): Probes {
  const hosts: Record<string, string[] | Error> = {
    "zenml-dev.mycompany.com": ["3.120.1.1", "3.120.1.2"],
    "zenml-dev-123.eu-central-1.elb.amazonaws.com": ["3.120.1.2", "3.120.1.1"],
    ...dnsMap,
  };
  return {
    httpGet: async (url) => {
      const r = routes[new URL(url).pathname];
      if (!r) return { status: 404, headers: { "content-type": "application/json" }, body: '{"detail":"Not Found"}' };
      if (r instanceof Error) throw r;
      return r;
    },
    lookup: async (host) => {
      const a = hosts[host];
      if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  report?: CheckReport & { passed: boolean };
}

async function verify(args: string[] = [], deps: Partial<VerifyDeps> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(["dev", "--outputs", outputsFile, ...args], {
    probes: probes(),
    now: () => NOW,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...deps,
  });
  return { code, stdout, stderr };
}

async function verifyJson(args: string[] = [], deps: Partial<VerifyDeps> = {}): Promise<Run & { report: CheckReport & { passed: boolean } }> {
  const r = await verify(["--format", "json", ...args], deps);
  return { ...r, report: JSON.parse(r.stdout) };
}

const check = (r: { report: CheckReport }, id: string) => {
  const c = r.report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

beforeEach(() => healthy());

describe("a healthy deployment", () => {
  test("every check passes, in the guide's order, and the exit code is 0", async () => {
    const r = await verifyJson();
    expect(r.code).toBe(0);
    expect(r.report.passed).toBe(true);
    expect(r.report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(r.report.checks.map((c) => c.status)).toEqual(CHECK_IDS.map(() => "pass"));
    expect(check(r, "service").summary).toContain("running 2, desired 2");
    expect(check(r, "https").summary).toContain("https://cloud.zenml.io");
  });

  test("text: one ✓ line per check and a summary, evidence only with --verbose", async () => {
    const r = await verify();
    const lines = r.stdout.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("✓ "))).toHaveLength(CHECK_IDS.length);
    expect(lines[lines.length - 1]).toBe("verify dev: all checks passed");
    // The stack's dashboard (output dashboard_url) is printed with the report, in text and JSON.
    expect(lines[lines.length - 2]).toBe(`dashboard: ${DASHBOARD_URL}`);
    expect((await verifyJson()).report.links).toEqual([{ label: "dashboard", url: DASHBOARD_URL }]);
    expect(r.stdout).not.toContain("target 10.0.1.10");
    expect((await verify(["--verbose"])).stdout).toContain("target 10.0.1.10:8080: healthy");
  });
});

describe("failure signatures (one table; a signature without a case fails here)", () => {
  // Real-looking lines for every signature id; each string/regex of a matcher must be hit by one of them.
  const LOG_CASES: Record<string, string[]> = {
    "control-plane-auth": [
      "RuntimeError: Error fetching auth token from the Cloud API: 401 Client Error: Unauthorized for url: https://cloudapi.zenml.io/auth/login",
      "RuntimeError: Could not fetch auth token from the Cloud API.",
      "RuntimeError: Failed while trying to contact the central zenml pro service: 401 Client Error: Unauthorized for url: https://cloudapi.zenml.io/rbac",
    ],
    "mysql-insecure-transport": [
      "sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (3159, 'Connections using insecure transport are prohibited while --require_secure_transport=ON.')",
      "(pymysql.err.OperationalError) (3159, 'x')",
    ],
    "mysql-access-denied": ["(pymysql.err.OperationalError) (1045, \"Access denied for user 'zenml'@'10.0.1.10' (using password: YES)\")", "(pymysql.err.OperationalError) (1045, 'x')"],
    "mysql-unreachable": ["(pymysql.err.OperationalError) (2003, \"Can't connect to MySQL server on 'zenml-db.abc.rds.amazonaws.com' (timed out)\")", "(pymysql.err.OperationalError) (2003, 'x')"],
    "mysql-connection-lost": ["(pymysql.err.OperationalError) (2013, 'Lost connection to MySQL server during query')", "(pymysql.err.OperationalError) (2006, 'MySQL server has gone away')"],
    "certificate-verify-failed": ["ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)"],
    "store-extra-field": ["pydantic_core._pydantic_core.ValidationError: 1 validation error for SqlZenStoreConfiguration ssl Extra inputs are not permitted [type=extra_forbidden, input_value='true', input_type=str]"],
    "logging-verbosity": ["KeyError: \"Verbosity must be one of ['NOTSET', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'CRITICAL']\"", "    if LoggingLevels[ZENML_LOGGING_VERBOSITY] == LoggingLevels.DEBUG"],
    "migration-lock-timeout": ["migration lock zenml_schema_migration not acquired within 600 s"],
    "error-line": ["2026-06-01 11:50:00 ERROR zenml.zen_server: something unexpected", "CRITICAL worker died"],
  };
  const STOP_CASES: Record<string, string> = {
    "image-pull": "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server:0.99.9: not found",
    "secrets-init": "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    "logs-init": "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
    "out-of-memory": "OutOfMemoryError: Container killed due to memory usage",
    "health-check": "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/zenml-dev/abc)",
  };

  const parts = (m: Matcher): (string | RegExp)[] => (typeof m === "string" || m instanceof RegExp ? [m] : [...m]);
  const hits = (p: string | RegExp, line: string) => (typeof p === "string" ? line.includes(p) : p.test(line));

  test("every log signature has cases covering each of its phrases", () => {
    for (const s of LOG_SIGNATURES) {
      expect({ id: s.id, hasCase: (LOG_CASES[s.id] ?? []).length > 0 }).toEqual({ id: s.id, hasCase: true });
      for (const p of parts(s.match)) expect({ id: s.id, phrase: String(p), covered: LOG_CASES[s.id].some((l) => hits(p, l)) }).toEqual({ id: s.id, phrase: String(p), covered: true });
    }
    expect(Object.keys(LOG_CASES).sort()).toEqual(LOG_SIGNATURES.map((s) => s.id).sort());
    expect(Object.keys(STOP_CASES).sort()).toEqual(STOP_SIGNATURES.map((s) => s.id).sort());
  });

  test.each(LOG_SIGNATURES.map((s) => [s.id]))("log signature %s is diagnosed with its cause and fix", async (id) => {
    const sig = LOG_SIGNATURES.find((s) => s.id === id)!;
    for (const line of LOG_CASES[id]) {
      logs.on(FilterLogEventsCommand).resolves({ events: [{ logStreamName: "ecs/zenml-server/t1", message: "INFO: starting" }, { logStreamName: "ecs/zenml-server/t1", message: line }] });
      const r = await verifyJson();
      const c = check(r, "logs");
      expect(c.status).toBe("fail");
      expect(r.code).toBe(1);
      expect(c.diagnoses?.map((d) => d.id)).toEqual([id]);
      expect(c.diagnoses?.[0]).toMatchObject({ cause: sig.cause, fix: sig.fix, source: sig.source, count: 1 });
      expect(c.diagnoses?.[0].example).toContain(line.replace(/\s+/g, " ").trim().slice(0, 100));
    }
  });

  test.each(STOP_SIGNATURES.map((s) => [s.id]))("stop signature %s is classified", async (id) => {
    ecs.on(ListTasksCommand).resolves({ taskArns: ["arn:aws:ecs:eu-central-1:123456789012:task/zenml-hybrid-dev/t9"] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: "arn:aws:ecs:eu-central-1:123456789012:task/zenml-hybrid-dev/t9", startedBy: "ecs-svc/1", createdAt: NOW, stopCode: "TaskFailedToStart", stoppedReason: STOP_CASES[id], containers: [{ name: "zenml-server" }] }],
    });
    const r = await verifyJson();
    const c = check(r, "stopped-tasks");
    expect(c.status).toBe("fail");
    expect(c.diagnoses?.map((d) => d.id)).toEqual([id]);
    expect(c.evidence[0]).toContain("task t9 stopped (TaskFailedToStart)");
  });

  test("a line counts once, for the most specific signature; several signatures are all listed in table order", async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        { message: "ERROR migration lock zenml_schema_migration not acquired within 300 s" },
        { message: "ERROR Error fetching auth token from the Cloud API: 401" },
        { message: "ERROR Error fetching auth token from the Cloud API: 401" },
      ],
    });
    const c = check(await verifyJson(), "logs");
    expect(c.diagnoses?.map((d) => [d.id, d.count])).toEqual([
      ["control-plane-auth", 2],
      ["migration-lock-timeout", 1],
    ]);
  });

  test("docs/operations.md holds the generated signature tables (run npm run schema when this fails)", () => {
    const doc = fs.readFileSync(OPERATIONS_DOC_FILE, "utf8");
    expect(operationsDocWithSignatures(doc)).toBe(doc);
    expect(doc).toContain(signaturesMarkdown());
  });
});

describe("1 ECS service", () => {
  const service = (patch: Record<string, unknown>) => {
    const base = { serviceName: "zenml-server", status: "ACTIVE", desiredCount: 2, runningCount: 2, taskDefinition: "td:7", deployments: [{ id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", createdAt: DEPLOYED }] };
    ecs.on(DescribeServicesCommand).resolves({ services: [{ ...base, ...patch }] as never });
  };

  test("running < desired fails with both counts and the latest events", async () => {
    service({ runningCount: 0, pendingCount: 2, events: [{ createdAt: NOW, message: "(service zenml-server) has started 2 tasks: (task a) (task b)." }] });
    const r = await verifyJson();
    const c = check(r, "service");
    expect(r.code).toBe(1);
    expect(c.status).toBe("fail");
    expect(c.summary).toContain("running 0 < desired 2");
    expect(c.evidence.join("\n")).toContain("has started 2 tasks");
  });

  test("a circuit-breaker rollback fails and names the failed deployment", async () => {
    service({
      deployments: [
        { id: "ecs-svc/2", status: "PRIMARY", rolloutState: "IN_PROGRESS", createdAt: NOW, rolloutStateReason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1." },
        { id: "ecs-svc/3", status: "ACTIVE", rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.", createdAt: DEPLOYED },
      ],
    });
    const c = check(await verifyJson(), "service");
    expect(c.status).toBe("fail");
    expect(c.summary).toContain("primary deployment IN_PROGRESS");
    expect(c.summary).toContain("deployment ecs-svc/3 FAILED (circuit breaker)");
  });

  test("a service that is not ACTIVE, or missing, fails", async () => {
    service({ status: "DRAINING" });
    expect(check(await verifyJson(), "service").summary).toContain("status DRAINING");
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: "x", reason: "MISSING" }] });
    const r = await verifyJson();
    expect(check(r, "service")).toMatchObject({ status: "fail", summary: "service zenml-server not found in cluster zenml-hybrid-dev (MISSING)" });
    expect(check(r, "stopped-tasks").status).toBe("skip");
    expect(check(r, "targets").status).toBe("skip");
  });
});

describe("2 stopped tasks", () => {
  const task = (containers: object[], extra: object = {}) => {
    ecs.on(ListTasksCommand).resolves({ taskArns: ["arn:aws:ecs:eu-central-1:123456789012:task/zenml-hybrid-dev/t1"] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: "arn:aws:ecs:eu-central-1:123456789012:task/zenml-hybrid-dev/t1", startedBy: "ecs-svc/1", createdAt: NOW, stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers, ...extra }],
    });
  };

  test("a failed migrate-database container is named with its exit code and last log lines", async () => {
    task([
      { name: "writable-volumes", exitCode: 0 },
      { name: "migrate-database", exitCode: 1 },
      { name: "zenml-server", reason: "dependency migrate-database failed" },
    ]);
    logs.on(GetLogEventsCommand, { logGroupName: "/ecs/zenml-hybrid-dev", logStreamName: "ecs/migrate-database/t1" }).resolves({ events: [{ message: "Traceback (most recent call last):" }, { message: "migration lock zenml_schema_migration not acquired within 600 s" }] });
    const c = check(await verifyJson(), "stopped-tasks");
    expect(c.status).toBe("fail");
    expect(c.summary).toContain("1 of 1 stopped task(s)");
    const ev = c.evidence.join("\n");
    expect(ev).toContain("migrate-database: exit 1");
    expect(ev).toContain("writable-volumes: exit 0");
    expect(ev).toContain("| migration lock zenml_schema_migration not acquired within 600 s");
  });

  test("a failed writable-volumes container is named with its log lines; a missing stream is said", async () => {
    task([{ name: "writable-volumes", exitCode: 1 }]);
    logs.on(GetLogEventsCommand).rejects(Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException" }));
    const ev = check(await verifyJson(), "stopped-tasks").evidence.join("\n");
    expect(ev).toContain("writable-volumes: exit 1");
    expect(ev).toContain("log stream ecs/writable-volumes/t1: ResourceNotFoundException");
  });

  test("tasks stopped before the deployment do not count; a normal scale-in passes", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: ["a", "b"] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        { taskArn: "x/old", startedBy: "ecs-svc/0", createdAt: new Date("2026-05-01T00:00:00Z"), stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: old" },
        { taskArn: "x/new", startedBy: "ecs-svc/1", createdAt: NOW, stopCode: "ServiceSchedulerInitiated", stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1)", containers: [{ name: "zenml-server", exitCode: 0 }] },
      ],
    });
    const c = check(await verifyJson(["--verbose"]), "stopped-tasks");
    expect(c.status).toBe("pass");
    expect(c.summary).toContain("1 task(s) stopped since deployment ecs-svc/1");
  });
});

describe("4 ALB targets", () => {
  const unhealthy = (reason: string) =>
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: "10.0.1.10", Port: 8000 }, TargetHealth: { State: "unhealthy", Reason: reason as never, Description: "Health checks failed" } }] });

  test("Target.FailedHealthChecks on a port the image does not listen on points to the image's port", async () => {
    healthy(8000);
    unhealthy("Target.FailedHealthChecks");
    const c = check(await verifyJson(), "targets");
    expect(c.status).toBe("fail");
    expect(c.evidence.join("\n")).toContain("target 10.0.1.10:8000: unhealthy Target.FailedHealthChecks — Health checks failed");
    expect(c.diagnoses?.[0].id).toBe("image-port");
    expect(c.diagnoses?.[0].cause).toContain("port 8000, but ZenML's server image listens on 8080");
  });

  test("a health check on another port than the container's is named", async () => {
    healthy(8000);
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG, TargetGroupName: "zenml-dev", Port: 8000, HealthCheckPort: "9000", LoadBalancerArns: [ALB] }] });
    unhealthy("Target.Timeout");
    expect(check(await verifyJson(), "targets").diagnoses?.[0]).toMatchObject({ id: "health-check-port", cause: "the health check probes port 9000, but the container is mapped on 8000" });
  });

  test("failing on the image's port points to the logs; no targets and no forwarding listener fail", async () => {
    unhealthy("Target.ResponseCodeMismatch");
    expect(check(await verifyJson(), "targets").diagnoses?.[0].id).toBe("health-check");
    healthy();
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ Protocol: "HTTP", Port: 80, DefaultActions: [{ Type: "redirect" }] }] });
    const c = check(await verifyJson(), "targets");
    expect(c.summary).toBe("no listener forwards to the target group; no targets registered (no task is running)");
  });
});

describe("5 certificate and DNS", () => {
  test("a certificate expiring within 30 days, not issued, or not covering the domain fails", async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: "ISSUED", DomainName: "zenml-dev.mycompany.com", NotAfter: new Date("2026-06-11T12:00:00Z") } });
    expect(check(await verifyJson(), "certificate")).toMatchObject({ status: "fail", summary: "expires in 10 day(s) (≤ 30)" });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: "PENDING_VALIDATION", DomainName: "other.example.com", NotAfter: new Date("2027-01-01T00:00:00Z") } });
    expect(check(await verifyJson(), "certificate").summary).toBe("status PENDING_VALIDATION; does not cover zenml-dev.mycompany.com");
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: "ISSUED", DomainName: "*.mycompany.com", NotAfter: new Date("2027-01-01T00:00:00Z") } });
    expect(check(await verifyJson(), "certificate").status).toBe("pass");
  });

  test("a domain that does not resolve, or resolves elsewhere, fails", async () => {
    let c = check(await verifyJson([], { probes: probes(HTTP_OK, { "zenml-dev.mycompany.com": Object.assign(new Error("x"), { code: "ENOTFOUND" }) }) }), "dns");
    expect(c).toMatchObject({ status: "fail", summary: "zenml-dev.mycompany.com does not resolve (ENOTFOUND): create the record (README Deploy step 5)" });
    c = check(await verifyJson([], { probes: probes(HTTP_OK, { "zenml-dev.mycompany.com": ["192.0.2.1"] }) }), "dns");
    expect(c.summary).toBe("zenml-dev.mycompany.com resolves, but not to the ALB zenml-dev-123.eu-central-1.elb.amazonaws.com");
  });
});

describe("6 HTTPS", () => {
  test("/health not 200, / not the dashboard, or a server that is no Pro workspace fails", async () => {
    const r = await verifyJson([], {
      probes: probes({
        "/health": { status: 503, headers: {}, body: "Service Unavailable" },
        "/": { status: 404, headers: { "content-type": "application/json" }, body: "{}" },
        "/api/v1/info": { status: 200, headers: {}, body: JSON.stringify({ deployment_type: "other", version: "0.84.3" }) },
      }),
    });
    const c = check(r, "https");
    expect(c.status).toBe("fail");
    expect(c.summary).toContain("GET /health answered 503");
    expect(c.summary).toContain("GET / answered 404 application/json, not the dashboard");
    expect(c.summary).toContain("does not describe a ZenML Pro workspace");
  });

  test("a certificate the client does not trust is reported with the --ca hint; --url is used", async () => {
    const seen: string[] = [];
    const err = Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    const p = probes({ "/health": err, "/": err, "/api/v1/info": err });
    const r = await verifyJson(["--url", "https://127.0.0.1:8443/"], { probes: { ...p, httpGet: (u) => (seen.push(u), p.httpGet(u)) } });
    expect(seen).toEqual(["https://127.0.0.1:8443/health", "https://127.0.0.1:8443/", "https://127.0.0.1:8443/api/v1/info"]);
    expect(check(r, "https").summary).toContain("GET /health: DEPTH_ZERO_SELF_SIGNED_CERT (a private CA? pass --ca FILE or NODE_EXTRA_CA_CERTS)");
  });
});

describe("7 OAuth2 client secret (canary: the value is never printed)", () => {
  test("a value is reported as present and redacted everywhere, also from log lines", async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ message: `ERROR bad client secret ${CANARY} refused` }] });
    for (const format of ["text", "json"]) {
      const r = await verify(["--format", format, "--verbose"]);
      expect(r.stdout).toContain(format === "json" ? '"oauth2-secret"' : "7 OAuth2 client secret");
      expect(r.stdout).toContain("has a value");
      expect(r.stdout).toContain("bad client secret *** refused");
      expect(r.stdout + r.stderr).not.toContain(CANARY);
    }
  });

  test("no value yet, or an empty one, fails without printing anything of it", async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"), { name: "ResourceNotFoundException" }));
    expect(check(await verifyJson(), "oauth2-secret").summary).toBe(`${SECRET} has no value yet: set it (README Deploy step 4)`);
    sm.on(GetSecretValueCommand).resolves({ SecretString: "   " });
    expect(check(await verifyJson(), "oauth2-secret").summary).toBe(`${SECRET} has an empty value: set it (README Deploy step 4)`);
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: "ResourceNotFoundException" }));
    expect(check(await verifyJson(), "oauth2-secret").summary).toContain("GetSecretValue");
  });
});

describe("command line", () => {
  test.each([
    [[], "which stack?"],
    [["dev", "prod"], "one stack only"],
    [["dev", "--format", "xml"], "--format must be one of text, json"],
    [["dev", "--wait", "5x"], '--wait: "5x" is not a duration'],
    [["dev", "--since"], "--since needs a value"],
    [["dev", "--bogus"], "unknown option --bogus"],
    [["dev", "--skip", "service,nope"], 'unknown check "nope"'],
    [["dev", "--url", "http://x"], "must be an https:// URL"],
    [["dev", "--ca", "/no/such.pem"], "--ca /no/such.pem: no such file"],
    [["dev", "--outputs", "/no/such.json"], "--outputs /no/such.json: no such file"],
  ])("bad input %j exits 2: %s", async (argv, message) => {
    let stderr = "";
    const code = await main(argv, { stderr: (t) => (stderr += t), stdout: () => undefined, probes: probes() });
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  test("outputs without a required output, or not terraform output -json, exit 2 naming the file and field", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-bad-"));
    const f = path.join(dir, "o.json");
    fs.writeFileSync(f, JSON.stringify({ url: { value: "https://x.example.com" } }));
    let stderr = "";
    expect(await main(["dev", "--outputs", f], { stderr: (t) => (stderr += t), stdout: () => undefined })).toBe(2);
    expect(stderr).toContain(`${f}: output "cluster_name" is missing or not a string`);
    fs.writeFileSync(f, JSON.stringify({ url: "https://x.example.com" }));
    expect(await main(["dev", "--outputs", f], { stderr: (t) => (stderr += t), stdout: () => undefined })).toBe(2);
    expect(stderr).toContain('output "url" has no "value"');
  });

  test("without --outputs, a stack that is not synthesized exits 2 and says how to get outputs", async () => {
    const before = process.env.CDKTF_OUTDIR;
    process.env.CDKTF_OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), "verify-out-"));
    try {
      let stderr = "";
      expect(await main(["dev"], { stderr: (t) => (stderr += t), stdout: () => undefined })).toBe(2);
      expect(stderr).toContain(`stack "dev": ${process.env.CDKTF_OUTDIR}/stacks/dev/cdk.tf.json not found; run \`npm run synth\` (and deploy it), or pass --outputs FILE`);
    } finally {
      if (before === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = before;
    }
  });

  test("--skip reports the check as not checked and does not fail", async () => {
    const r = await verifyJson(["--skip", "dns,certificate"], { probes: probes(HTTP_OK, { "zenml-dev.mycompany.com": new Error("nope") }) });
    expect(r.code).toBe(0);
    expect(check(r, "dns")).toMatchObject({ status: "skip", summary: "not checked (--skip)" });
    expect(renderText(r.report)).toContain("verify dev: all checks passed (2 not checked)");
  });

  test("--wait polls with a progress line until the checks pass; it gives up at the deadline with exit 1", async () => {
    let t = NOW.getTime();
    const now = () => new Date(t);
    const sleep = async (ms: number) => void (t += ms);
    let calls = 0;
    ecs.on(DescribeServicesCommand).callsFake(() => {
      calls++;
      return { services: [{ status: "ACTIVE", desiredCount: 1, runningCount: calls >= 3 ? 1 : 0, loadBalancers: [{ targetGroupArn: TG, containerPort: 8080 }], deployments: [{ id: "ecs-svc/1", status: "PRIMARY", rolloutState: calls >= 3 ? "COMPLETED" : "IN_PROGRESS", createdAt: DEPLOYED }] }] };
    });
    const r = await verify(["--wait", "2m"], { now, sleep, intervalMs: 15_000 });
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split("\n")).toEqual([
      "verify dev: round 1: 1 failing (service); 2m00s left, next try in 15s",
      "verify dev: round 2: 1 failing (service); 1m45s left, next try in 15s",
    ]);
    calls = -100;
    const late = await verify(["--wait", "30s"], { now, sleep, intervalMs: 15_000 });
    expect(late.code).toBe(1);
    expect(late.stderr.trim().split("\n")).toHaveLength(2);
  });

  test("durations and regions", () => {
    expect(parseDuration("15m")).toBe(900_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("90")).toBe(90_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(() => parseDuration("15 minutes", "--wait")).toThrow('--wait: "15 minutes" is not a duration');
    expect(() => parseDuration("")).toThrow("not a duration");
    expect(formatDuration(3_720_000)).toBe("1h02m");
    expect(regionOf({ url: "https://x", oauth2_secret_arn: SECRET })).toBe("eu-central-1");
  });
});
