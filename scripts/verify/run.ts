/**
 * `npm run verify -- <stack>`: reads the stack's outputs, runs the checks (scripts/verify/checks.ts),
 * optionally polls until they pass (`--wait`), and reports in text or JSON. Exit 0 all passed, 1 a
 * check failed, 2 bad input. The OAuth2 client secret's value is read only to say whether it exists
 * and is redacted from everything printed.
 */
import * as dns from "dns";
import * as fs from "fs";
import * as https from "https";
import * as tls from "tls";
import { ACMClient } from "@aws-sdk/client-acm";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { formatDuration, parseDuration } from "../common/args";
import { CommandSpec, Parsed, parseCommand, usage, usageErrorText } from "../common/cli";
import { CheckReport, EXIT, Format, FORMATS, InputError, passed, redact, render } from "../common/checks";
import { LoadedOutputs, readStackOutputs, requireOutput } from "../common/stack-outputs";
import { CHECK_IDS, HttpAnswer, Probes, runChecks, VerifyClients, VerifyContext, VerifyTarget } from "./checks";

/** Options and usage text of `npm run verify`. */
export const VERIFY_COMMAND: CommandSpec = {
  name: "verify",
  invocation: "npm run verify --",
  synopsis: "<stack> [options]",
  summary: `Checks a deployed stack the way the guide's Step 9 and Troubleshooting do: ECS service, stopped tasks,
known failure signatures in the logs, ALB target health, certificate and DNS, HTTPS /health and the Pro
login, the OAuth2 client secret set; then prints the stack's CloudWatch dashboard URL (output dashboard_url).
AWS access: the SDK's standard configuration (AWS_REGION, AWS_PROFILE,
AWS_ENDPOINT_URL, ...); without AWS_REGION, the region of the stack's ARNs (docs/operations.md#verify-a-deployment).`,
  positionals: { stack: "stack name (its outputs: terraform output -json in cdktf.out/stacks/<stack>)" },
  options: {
    outputs: { type: "string", value: "FILE", description: "a saved `terraform output -json` (default: run it in cdktf.out/stacks/<stack>)" },
    url: { type: "string", value: "URL", description: "workspace URL to request (default: the url output)" },
    ca: { type: "string", value: "FILE", description: "PEM CA certificate(s) trusted for --url in addition to the system CAs\n(NODE_EXTRA_CA_CERTS works too)" },
    wait: { type: "string", value: "DURATION", description: "poll every 15s until every check passes or DURATION runs out (e.g. 15m)" },
    since: { type: "string", value: "DURATION", description: "read logs this far back (default: since the service's deployment started)" },
    skip: { type: "string", value: "ID[,ID]", description: `do not run these checks; reported as not checked\n(${CHECK_IDS.join(", ")})` },
    format: { type: "string", choices: FORMATS, description: "report format (default text)" },
    verbose: { type: "boolean", description: "text: show the evidence of passing checks too" },
  },
  exit: "0 every check passed, 1 a check failed, 2 bad input",
};
export const USAGE = usage(VERIFY_COMMAND);

/** What `main` needs from outside (tests replace clients, probes, clock and streams). */
export interface VerifyDeps {
  readonly clients?: VerifyClients;
  readonly probes?: Probes;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Poll interval of --wait (default 15 s). */
  readonly intervalMs?: number;
}

/** The region in the first ARN among the outputs (`arn:aws:<service>:<region>:...`). */
export function regionOf(outputs: LoadedOutputs["outputs"]): string | undefined {
  for (const v of Object.values(outputs)) {
    const m = typeof v === "string" ? /^arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(v) : null;
    if (m) return m[1];
  }
  return undefined;
}

/** One client per service, with the SDK's standard configuration; `region` only when AWS_REGION is unset. */
export function createClients(region: string | undefined): VerifyClients {
  const config = process.env.AWS_REGION || !region ? {} : { region };
  return {
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    acm: new ACMClient(config),
    secrets: new SecretsManagerClient(config),
  };
}

/** HTTPS GET without following redirects (10 s timeout), trusting the system CAs plus `extraCa`; and DNS lookups. */
export function networkProbes(extraCa?: string): Probes {
  const ca = extraCa ? [...tls.rootCertificates, extraCa] : undefined;
  return {
    httpGet: (url) =>
      new Promise<HttpAnswer>((resolve, reject) => {
        const req = https.get(url, { ca, timeout: 10_000, headers: { accept: "text/html,application/json" } }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            if (body.length < 65_536) body += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on("timeout", () => req.destroy(Object.assign(new Error("timed out after 10s"), { code: "ETIMEDOUT" })));
        req.on("error", reject);
      }),
    lookup: async (host) => (await dns.promises.lookup(host, { all: true })).map((a) => a.address),
  };
}

interface Options {
  stack: string;
  outputs?: string;
  url?: string;
  ca?: string;
  waitMs?: number;
  sinceMs?: number;
  skip: Set<string>;
  format: Format;
  verbose: boolean;
}

function parse(a: Parsed): Options {
  if (a.positionals.length !== 1) throw new InputError(a.positionals.length === 0 ? "which stack? e.g. npm run verify -- dev" : `one stack only, got ${a.positionals.join(" ")}`);
  const values = { url: a.string("url"), ca: a.string("ca"), skip: a.string("skip"), outputs: a.string("outputs"), wait: a.string("wait"), since: a.string("since"), format: a.string("format") };
  const skip = new Set((values.skip ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  for (const s of skip) if (!(CHECK_IDS as readonly string[]).includes(s)) throw new InputError(`--skip: unknown check "${s}"; checks: ${CHECK_IDS.join(", ")}`);
  if (values.url) {
    let u: URL;
    try {
      u = new URL(values.url);
    } catch {
      throw new InputError(`--url: "${values.url}" is not a URL`);
    }
    if (u.protocol !== "https:") throw new InputError(`--url: "${values.url}" must be an https:// URL`);
  }
  if (values.ca && !fs.existsSync(values.ca)) throw new InputError(`--ca ${values.ca}: no such file`);
  return {
    stack: a.positionals[0],
    outputs: values.outputs,
    url: values.url,
    ca: values.ca,
    waitMs: values.wait !== undefined ? parseDuration(values.wait, "--wait") : undefined,
    sinceMs: values.since !== undefined ? parseDuration(values.since, "--since") : undefined,
    skip,
    format: (values.format as Format | undefined) ?? "text",
    verbose: a.flag("verbose"),
  };
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], deps: VerifyDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t: string) => process.stdout.write(t));
  const err = deps.stderr ?? ((t: string) => process.stderr.write(t));
  let options: Options;
  let ctx: VerifyContext;
  let links: CheckReport["links"];
  try {
    const args = parseCommand(VERIFY_COMMAND, argv);
    if (args.help) {
      out(`${USAGE}\n`);
      return EXIT.ok;
    }
    options = parse(args);
    const loaded = readStackOutputs(options.stack, options.outputs);
    const urlOutput = requireOutput(loaded, "url");
    let domain: string;
    try {
      domain = new URL(urlOutput).hostname;
    } catch {
      throw new InputError(`${loaded.source}: output "url" (${urlOutput}) is not a URL`);
    }
    const target: VerifyTarget = {
      cluster: requireOutput(loaded, "cluster_name"),
      service: requireOutput(loaded, "service_name"),
      logGroup: requireOutput(loaded, "log_group"),
      albDnsName: requireOutput(loaded, "alb_dns_name"),
      url: options.url ?? urlOutput,
      domain,
      oauth2SecretArn: typeof loaded.outputs.oauth2_secret_arn === "string" ? loaded.outputs.oauth2_secret_arn : undefined,
    };
    // Stacks deployed before the dashboard existed have no dashboard_url output.
    const dashboard = loaded.outputs.dashboard_url;
    links = typeof dashboard === "string" ? [{ label: "dashboard", url: dashboard }] : [];
    const ca = options.ca ? fs.readFileSync(options.ca, "utf8") : undefined;
    ctx = {
      clients: deps.clients ?? createClients(regionOf(loaded.outputs)),
      probes: deps.probes ?? networkProbes(ca),
      target,
      sinceMs: options.sinceMs,
      now: deps.now ?? (() => new Date()),
    };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    err(usageErrorText(VERIFY_COMMAND, e.message));
    return EXIT.badInput;
  }
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = deps.intervalMs ?? 15_000;
  const started = ctx.now().getTime();
  let report: CheckReport;
  let secrets: string[];
  for (let round = 1; ; round++) {
    const r = await runChecks(ctx, options.skip);
    secrets = r.secrets;
    report = { command: "verify", subject: options.stack, at: ctx.now().toISOString(), checks: r.checks, links };
    const left = options.waitMs !== undefined ? options.waitMs - (ctx.now().getTime() - started) : 0;
    if (passed(report) || left <= 0) break;
    const failing = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
    err(`verify ${options.stack}: round ${round}: ${failing.length} failing (${failing.join(", ")}); ${formatDuration(left)} left, next try in ${formatDuration(interval)}\n`);
    await sleep(Math.min(interval, left));
  }
  out(redact(render(report, options.format, options.verbose), secrets));
  return passed(report) ? EXIT.ok : EXIT.failed;
}
