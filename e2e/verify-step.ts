/**
 * The e2e verify step (config/dev, after the apply, before the destroy): `npm run verify` run as users
 * run it (`node dist/scripts/verify.js dev`, outputs from `terraform output -json` in the stack folder,
 * AWS through AWS_ENDPOINT_URL at moto):
 *
 * 1. a control-plane auth failure is seeded into the log group (PutLogEvents); moto created the
 *    service with 0 running tasks, so verify must fail (exit 1) with running < desired and name the
 *    seeded cause, and must not print the OAuth2 client secret;
 * 2. with MOTO_ECS_SERVICE_RUNNING = desired (set through the launcher's hook, then the ECS service is
 *    deleted and created again with the same parameters through the ECS API, so moto creates it anew) and the
 *    real ZenML server of the stack's release started from its task definition behind HTTPS with a test CA
 *    for `--url` (`--ca`; e2e/zenml-server.ts),
 *    verify must pass (exit 0) with the checks moto cannot serve skipped (VERIFY_GAPS, in the report).
 */
import * as http from "http";
import * as path from "path";
import { CONTROL_PLANE_AUTH_FAILURE_TERMS } from "../lib/log-signatures";
import type { CheckReport } from "../scripts/common/checks";
import { VERIFY_GAPS } from "./emulator-gaps";
import { Aws, emulatorEnv, log, MotoServer, REPO, run, tail } from "./harness";
import { EmulatedTask, httpsFront, prepareRealServer, startTask } from "./zenml-server";

/** What the step needs from the stack run. */
export interface VerifyStepInput {
  readonly scope: string;
  readonly stack: string;
  readonly aws: Aws;
  readonly moto: MotoServer;
  /** cdktf output folder holding `stacks/<stack>` (CDKTF_OUTDIR for verify). */
  readonly outDir: string;
  readonly region: string;
  readonly outputs: Record<string, any>;
  /** [what, value] secrets that must not appear in verify's output. */
  readonly secrets: ReadonlyArray<readonly [string, string]>;
  readonly zenmlVersion: string;
  /** The stack's environment file (synthesized again for the real server, e2e/zenml-server.ts). */
  readonly configFile: string;
  readonly workDir: string;
  readonly logFile: string;
}

type VerifyJson = CheckReport & { passed: boolean };

/** Runs the built `verify` command against moto; returns its exit code and parsed JSON report. */
async function verify(input: VerifyStepInput, args: string[]): Promise<{ code: number; report: VerifyJson; text: string }> {
  const env = {
    ...emulatorEnv(input.moto.endpoint),
    AWS_REGION: input.region,
    CDKTF_OUTDIR: input.outDir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const r = await run(process.execPath, [path.join(REPO, "dist", "scripts", "verify.js"), input.stack, "--format", "json", ...args], { cwd: REPO, env, logFile: input.logFile, timeoutMs: 120_000 });
  if (r.code !== 0 && r.code !== 1) throw new Error(`${input.scope}: verify exited ${r.code} (expected 0 or 1):\n${tail(r.stderr || r.stdout, 20)}`);
  for (const [what, value] of input.secrets) {
    if ((r.stdout + r.stderr).includes(value)) throw new Error(`${input.scope}: verify printed ${what}`);
  }
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyJson, text: r.stdout };
}

const summary = (report: VerifyJson) => report.checks.map((c) => `${c.id} ${c.status === "pass" ? "✓" : c.status === "fail" ? "✗" : "–"}`).join(", ");

/** POSTs to the launcher's hook (e2e/moto_server.py, 6.). */
function setMotoEnvironment(moto: MotoServer, values: Record<string, number>): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(values);
    const req = http.request(`${moto.endpoint}/moto-api/e2e/environment`, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`moto hook answered ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The real ZenML server of the stack's release (e2e/zenml-server.ts): the environment file synthesized
 * again with `zenml.apiUrl` at a control-plane stand-in, the task started as ECS starts it (volumes,
 * migration, server until the target group's health check passes), and HTTPS in front of it with the
 * test CA (the ALB's role), passed to verify with `--ca`.
 */
async function startRealServer(input: VerifyStepInput): Promise<{ url: string; caFile: string; close: () => Promise<void> }> {
  const setup = await prepareRealServer({ dir: path.join(input.workDir, "verify-real-server"), version: input.zenmlVersion, configFile: input.configFile });
  try {
    const task = new EmulatedTask(setup.task, "verify", setup.options);
    const server = await startTask(task);
    const front = await httpsFront(setup.ca, await task.baseUrl());
    return {
      url: front.url,
      caFile: setup.ca.caFile,
      close: async () => {
        await front.close();
        await server.stop();
        await setup.stop();
      },
    };
  } catch (e) {
    await setup.stop();
    throw e;
  }
}

/** The step; returns the lines for the report. */
export async function runVerifyStep(input: VerifyStepInput): Promise<string[]> {
  const lines: string[] = [];
  const { aws, outputs } = input;
  const logGroup = outputs.log_group as string;
  const stream = "ecs/zenml-server/e2e-seeded";
  const seeded = `RuntimeError: ${CONTROL_PLANE_AUTH_FAILURE_TERMS[0]}: 401 Client Error: Unauthorized for url: https://cloudapi.zenml.io/auth/login`;
  await aws.call("logs", "create_log_stream", { logGroupName: logGroup, logStreamName: stream });
  await aws.call("logs", "put_log_events", { logGroupName: logGroup, logStreamName: stream, logEvents: [{ timestamp: Date.now(), message: seeded }] });

  // 1. moto's service: created with MOTO_ECS_SERVICE_RUNNING unset, so 0 running.
  const { services: [svc] } = await aws.call("ecs", "describe_services", { cluster: outputs.cluster_name, services: [outputs.service_name] });
  const desired = Number(svc.desiredCount);
  const failing = await verify(input, []);
  const service = failing.report.checks.find((c) => c.id === "service");
  const logs = failing.report.checks.find((c) => c.id === "logs");
  if (failing.code !== 1 || service?.status !== "fail" || !service.summary.includes(`running 0 < desired ${desired}`)) {
    throw new Error(`${input.scope}: verify was expected to fail on running 0 < desired ${desired} (exit ${failing.code}):\n${failing.text.slice(0, 3000)}`);
  }
  if (logs?.status !== "fail" || !logs.diagnoses?.some((d) => d.id === "control-plane-auth" && d.example?.includes(CONTROL_PLANE_AUTH_FAILURE_TERMS[0]))) {
    throw new Error(`${input.scope}: verify did not name the seeded control-plane auth failure:\n${JSON.stringify(logs, null, 2)}`);
  }
  const secret = failing.report.checks.find((c) => c.id === "oauth2-secret");
  if (secret?.status !== "pass") throw new Error(`${input.scope}: verify did not see the OAuth2 secret's value: ${JSON.stringify(secret)}`);
  lines.push(
    `verify (moto, 0 of ${desired} running, a control-plane auth failure seeded with PutLogEvents): exit 1; ${service.summary}; logs: ${logs.diagnoses.map((d) => d.id).join(", ")}; OAuth2 secret value not printed [${summary(failing.report)}]`,
  );
  log(input.scope, `verify failed as expected: ${summary(failing.report)}`);

  // 2. MOTO_ECS_SERVICE_RUNNING = desired, the service created again, the HTTPS stand-in.
  await setMotoEnvironment(input.moto, { MOTO_ECS_SERVICE_RUNNING: desired });
  try {
    // The service again, as it is (same name and ARN, so Terraform's state and destroy still match): a
    // targeted `terraform apply -replace` would also apply the accepted emulator gaps of the resources
    // it depends on (the RDS instance's monitoring settings: 80 s of waiting) and is not needed.
    await aws.call("ecs", "delete_service", { cluster: outputs.cluster_name, service: outputs.service_name, force: true });
    await aws.call("ecs", "create_service", {
      cluster: outputs.cluster_name,
      serviceName: svc.serviceName,
      taskDefinition: svc.taskDefinition,
      desiredCount: desired,
      launchType: svc.launchType,
      platformVersion: svc.platformVersion,
      loadBalancers: svc.loadBalancers,
      networkConfiguration: svc.networkConfiguration,
      propagateTags: svc.propagateTags,
    });
  } finally {
    await setMotoEnvironment(input.moto, { MOTO_ECS_SERVICE_RUNNING: 0 });
  }
  const standIn = await startRealServer(input);
  try {
    const skipped = VERIFY_GAPS.filter((g) => g.handling === "skipped").map((g) => g.check);
    const passing = await verify(input, ["--url", standIn.url, "--ca", standIn.caFile, "--skip", skipped.join(",")]);
    const bad = passing.report.checks.filter((c) => c.status === "fail" || (c.status === "skip" && !skipped.includes(c.id)));
    if (passing.code !== 0 || bad.length > 0) {
      throw new Error(`${input.scope}: verify was expected to pass with MOTO_ECS_SERVICE_RUNNING=${desired} and the real server behind HTTPS (exit ${passing.code}):\n${passing.text.slice(0, 4000)}`);
    }
    // The report names the stack's dashboard, read from the deployed stack's dashboard_url output.
    const links = JSON.stringify(passing.report.links);
    if (links !== JSON.stringify([{ label: "dashboard", url: input.outputs.dashboard_url }]) || !input.outputs.dashboard_url) {
      throw new Error(`${input.scope}: verify's report does not link the dashboard_url output (${input.outputs.dashboard_url}): ${links}`);
    }
    lines.push(`verify links the dashboard: ${input.outputs.dashboard_url}`);
    lines.push(
      `verify (moto with MOTO_ECS_SERVICE_RUNNING=${desired}, the ECS service created again; --url ${standIn.url}: the real zenml[server]==${input.zenmlVersion} from the synthesized task behind HTTPS with a test CA, --ca): exit 0 [${summary(passing.report)}]; the seeded line is older than the new deployment and no longer read`,
    );
    log(input.scope, `verify passed: ${summary(passing.report)}`);
  } finally {
    await standIn.close();
  }
  lines.push(...VERIFY_GAPS.map((g) => `verify gap (${g.handling}) ${g.check}: ${g.reason}`));
  return lines;
}
