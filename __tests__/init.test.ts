/**
 * `npm run init` (dist/scripts/init.js): a scripted session through a pseudo-terminal, with bad answers
 * asked again, writes a file that synthesizes; flags for CI; an existing file is kept without --force.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pty from "@cdktf/node-pty-prebuilt-multiarch";
import { loadEnvironments } from "../lib/config/load";
import { CONFIG_DIR, ROOT, only, synthAll, tempDir } from "./helpers";

const INIT = path.join(ROOT, "dist", "scripts", "init.js");

let work: string;
beforeAll(() => {
  if (!fs.existsSync(INIT)) throw new Error(`${INIT} is missing: run \`npm run build\` first (npm test does)`);
  work = tempDir("zenml-init-");
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A copy of the shipped config folder. */
function configCopy(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  for (const f of fs.readdirSync(CONFIG_DIR)) fs.copyFileSync(path.join(CONFIG_DIR, f), path.join(dir, f));
  return dir;
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

/**
 * Runs init in a pseudo-terminal and answers each prompt: every step waits until the output since the
 * previous answer shows `prompt`, then types `answer` and Enter (a step without a prompt sends at once).
 */
function session(args: string[], configDir: string, steps: { prompt: string; answer: string }[]): Promise<{ output: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const { ZENML_CONFIG_DIR: _dir, ...env } = process.env;
    const term = pty.spawn(process.execPath, [INIT, ...args], {
      cols: 200,
      rows: 50,
      cwd: ROOT,
      env: { ...env, ZENML_CONFIG_DIR: configDir } as Record<string, string>,
    });
    let output = "";
    let seen = 0;
    let step = 0;
    const timer = setTimeout(() => {
      term.kill();
      reject(new Error(`init session stuck at step ${step} (${JSON.stringify(steps[step])}); output:\n${plain(output)}`));
    }, 60_000);
    term.onData((data) => {
      output += data;
      const next = steps[step];
      if (next && plain(output.slice(seen)).includes(next.prompt)) {
        seen = output.length;
        step++;
        term.write(`${next.answer}\r`);
      }
    });
    term.onExit(({ exitCode }) => {
      clearTimeout(timer);
      if (step < steps.length) reject(new Error(`init exited (${exitCode}) before step ${step}; output:\n${plain(output)}`));
      else resolve({ output: plain(output), exitCode });
    });
  });
}

const GOOD = {
  region: "eu-west-1",
  accounts: "111122223333, 444455556666",
  version: "0.84.3",
  orgId: "0f2b5c1e-8d3a-4b7e-9c61-2a4d5e6f7a8b",
  wsId: "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
};

test("a scripted terminal session asks again after bad answers and writes a file that synthesizes", async () => {
  const dir = configCopy("session");
  const { output, exitCode } = await session(["staging"], dir, [
    { prompt: "Preset", answer: "" }, // Enter: the default (dev)
    { prompt: "AWS region", answer: "mars-north-1" },
    { prompt: "AWS region", answer: GOOD.region },
    { prompt: "account ID", answer: "12345" },
    { prompt: "account ID", answer: GOOD.accounts },
    // The name dev.json uses, in the same state bucket (so the same account): refused by the whole-file check.
    { prompt: "Base name", answer: "zenml-hybrid-dev" },
    { prompt: "ZenML server version", answer: "latest" },
    { prompt: "ZenML server version", answer: GOOD.version },
    { prompt: "organization ID", answer: "my-org" },
    { prompt: "organization ID", answer: GOOD.orgId },
    { prompt: "organization name", answer: "acme" },
    { prompt: "workspace ID", answer: GOOD.wsId },
    { prompt: "workspace name", answer: "acme-staging" },
    { prompt: "Host name", answer: "Zenml.Acme.io" },
    { prompt: "Host name", answer: "zenml-staging.acme.io" },
    { prompt: "DNS mode", answer: "cloudflare" },
    { prompt: "DNS mode", answer: "route53" },
    { prompt: "hosted zone ID", answer: "Z0123456789ABCDEFGHIJ" },
    { prompt: "S3 bucket", answer: "mycompany-zenml-tfstate" },
    { prompt: "Base name", answer: "zenml-staging" },
  ]);
  expect({ exitCode, output }).toEqual({ exitCode: 0, output: expect.stringContaining("wrote") });
  // Each bad answer got the schema's own message naming the field, then the question again.
  expect(output).toMatch(/region: Invalid option: expected one of .*"eu-central-1"/);
  expect(output).toContain("allowedAccountIds: 0: must be a 12-digit AWS account ID");
  expect(output).toContain("zenml.version: must be a pinned version, not 'latest'");
  expect(output).toContain("zenml.organizationId: must be a UUID");
  expect(output).toContain("dns.domainName: must be a lower-case fully qualified domain name");
  expect(output).toMatch(/dns\.provider: Invalid option: expected one of "route53"\|"external"/);
  expect(output).toMatch(/staging\.json: name: 'zenml-hybrid-dev' gives .* which .*dev\.json also creates in the same account/);

  const file = JSON.parse(fs.readFileSync(path.join(dir, "staging.json"), "utf8"));
  expect(file).toEqual({
    $schema: expect.stringMatching(/environment\.schema\.json$/),
    preset: "dev",
    region: GOOD.region,
    allowedAccountIds: ["111122223333", "444455556666"],
    name: "zenml-staging",
    zenml: { version: GOOD.version, organizationId: GOOD.orgId, organizationName: "acme", workspaceId: GOOD.wsId, workspaceName: "acme-staging" },
    dns: { domainName: "zenml-staging.acme.io", provider: "route53", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
    // The bucket dev.json uses: its region comes from there.
    state: { bucket: "mycompany-zenml-tfstate", region: "eu-central-1" },
  });
  expect(fs.existsSync(path.resolve(dir, file.$schema))).toBe(true);

  // The folder with the new file passes every check synth makes, and the new stack synthesizes.
  const staging = loadEnvironments(dir).find((c) => c.envName === "staging")!;
  const stack = synthAll([staging]).staging;
  expect(only(stack, "aws_ecs_service").name).toBe("zenml-server");
  expect(stack.provider.aws[0].allowed_account_ids).toEqual(["111122223333", "444455556666"]);
  expect(stack.raw).toContain("https://zenml-staging.acme.io");
});

test("Ctrl-D cancels the session and writes nothing", async () => {
  const dir = configCopy("cancel");
  const { output, exitCode } = await session(["staging"], dir, [{ prompt: "Preset", answer: "\x04" }]);
  expect(exitCode).toBe(2);
  expect(output).toContain("init: cancelled; nothing written");
  expect(fs.existsSync(path.join(dir, "staging.json"))).toBe(false);
});

function runInit(args: string[], configDir: string) {
  return spawnSync(process.execPath, [INIT, ...args], { env: { ...process.env, ZENML_CONFIG_DIR: configDir }, encoding: "utf8", input: "" });
}

const FLAGS = [
  "--region", GOOD.region, "--account-ids", "111122223333", "--zenml-version", GOOD.version,
  "--organization-id", GOOD.orgId, "--organization-name", "acme", "--workspace-id", GOOD.wsId,
  "--workspace-name", "acme-ci", "--domain", "zenml-ci.acme.io", "--dns", "external",
  "--certificate-arn", "arn:aws:acm:eu-west-1:111122223333:certificate/0f2b5c1e-8d3a-4b7e-9c61-2a4d5e6f7a8b",
  "--state-bucket", "acme-tfstate",
];

test("CI: every answer as a flag; the defaults fill the rest; the file validates", () => {
  const dir = configCopy("flags");
  const result = runInit(["ci", ...FLAGS], dir);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const file = JSON.parse(fs.readFileSync(path.join(dir, "ci.json"), "utf8"));
  expect(file).toMatchObject({ preset: "dev", name: "zenml-hybrid-ci", dns: { provider: "external", certificateArn: expect.stringContaining(":certificate/") } });
  expect(file.dns.hostedZoneId).toBeUndefined();
  expect(loadEnvironments(dir).map((c) => c.envName)).toContain("ci");
});

test("an existing file is kept without --force and replaced with it", () => {
  const dir = configCopy("force");
  const before = fs.readFileSync(path.join(dir, "dev.json"), "utf8");
  const refused = runInit(["dev", ...FLAGS], dir);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(/dev\.json exists; pass --force to overwrite it/);
  expect(fs.readFileSync(path.join(dir, "dev.json"), "utf8")).toBe(before);

  const forced = runInit(["dev", ...FLAGS, "--name", "zenml-dev2", "--force"], dir);
  expect(forced.stderr).toBe("");
  expect(forced.status).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(dir, "dev.json"), "utf8")).name).toBe("zenml-dev2");
});

test("bad input exits 2 and writes nothing: a bad flag value, a missing answer, an unknown option, a bad name", () => {
  const dir = configCopy("bad");
  const badValue = runInit(["qa", ...FLAGS, "--dns", "cloudflare"], dir);
  expect(badValue.status).toBe(2);
  expect(badValue.stderr).toMatch(/--dns: dns\.provider: Invalid option: expected one of "route53"\|"external"/);

  const missing = runInit(["qa", "--region", GOOD.region], dir);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain("missing --account-ids, --zenml-version");

  const unknown = runInit(["qa", ...FLAGS, "--fromat", "json"], dir);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toBe("init: unknown option --fromat\n(npm run init -- --help prints the usage)\n");

  const badName = runInit(["QA", ...FLAGS], dir);
  expect(badName.status).toBe(2);
  expect(badName.stderr).toContain("'QA' is not allowed as an environment name");
  expect(fs.readdirSync(dir).filter((f) => /^(qa|QA)\.json$/.test(f))).toEqual([]);
});
