/**
 * The plan-review scenario (`npm run review`, issues 16 and 22): applies the review stack
 * (e2e/review/config, a dev-preset workspace with an alarm e-mail, autoscaling and a deploy-time OAuth2
 * secret) on moto once, then for each change of the matrix writes a second version of the stack, runs
 * `terraform plan -out` and `terraform show -json` against the applied state, and asserts the review of
 * that real plan: exactly the expected findings (kind, severity, address, attribute), and counts equal to
 * Terraform's own `Plan:` line. The drift case changes AWS through the API after the others, plans with a
 * refresh, and `npm run drift` must name each change. A canary OAuth2 client secret passed as
 * TF_VAR_… is in no plan and no review. With REVIEW_FIXTURES_UPDATE=1 the plans (masked, trimmed) and
 * the head stacks are written to __tests__/fixtures/review/ for the unit tests.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { StackReview } from "../scripts/review/model";
import { renderJson, renderMarkdown } from "../scripts/review/render";
import { reviewPlan } from "../scripts/review/review";
import { createFixtures, readConfigDir, RawConfig, writeConfigDir } from "./fixtures";
import { checkPrerequisites, emulatorEnv, log, MotoServer, OVERRIDE_FILE, readStack, REPO, run, Aws, Semaphore, StackDir, StackJson, synth, workDir, writeEmulatorOverride } from "./harness";
import {
  CaseContext,
  compareFindings,
  docsWithExample,
  DOCS_FILE,
  DRIFT_ADDRESSES,
  fixturePlanText,
  maskVolatile,
  ReviewCase,
  REGENERATE_COMMAND,
  REVIEW_CASES,
  REVIEW_CONFIG_DIR,
  REVIEW_FIXTURES_DIR,
  REVIEW_MANIFEST,
  REVIEW_STACK,
  ReviewFixtureManifest,
  stackHash,
  countsAgainstSummary,
  terraformSummary,
} from "./review-fixtures";

/**
 * `npm run drift -- review --out <baseOut>` (dist/scripts/drift.js) against moto after the drift
 * case's changes: exit 1, and the report names each change (the SSH rule, the retention, the ignored
 * desired count as expected). Returns the problems found.
 */
async function checkDriftCommand(out: string, endpoint: string, secretEnv: NodeJS.ProcessEnv, reportBase: string): Promise<string[]> {
  const args = [path.join(REPO, "dist", "scripts", "drift.js"), REVIEW_STACK, "--out", out, "--max-chars", "0"];
  const r = await run(process.execPath, args, { cwd: REPO, env: { ...emulatorEnv(endpoint), ...secretEnv }, logFile: `${reportBase}.log`, timeoutMs: 15 * 60_000 });
  fs.writeFileSync(`${reportBase}.md`, r.stdout);
  const problems: string[] = [];
  if (r.code !== 1) problems.push(`npm run drift: exit ${r.code}, expected 1 (drift):\n${(r.stderr || r.stdout).slice(-2000)}`);
  const sg = DRIFT_ADDRESSES.securityGroup();
  const expected: Array<[string, RegExp]> = [
    ["the SSH rule added to the RDS security group", new RegExp(`\`${sg.replace(/[.]/g, "\\.")}\` \\(drift\\).*changed outside Terraform: ingress rule added 22/tcp ← 0\\.0\\.0\\.0/0`)],
    ["the desired count, as expected (ignore_changes)", new RegExp(`\`${DRIFT_ADDRESSES.service().replace(/[.]/g, "\\.")}\` \\(drift\\).*desired_count.*expected: lifecycle\\.ignore_changes lists desired_count`)],
    ["the log group's retention 30 → 1", new RegExp(`\`${DRIFT_ADDRESSES.logGroup().replace(/[.]/g, "\\.")}\` \\(drift\\).*changed outside Terraform: retention_in_days 30 → 1; the next apply sets it back to 30`)],
  ];
  for (const [what, re] of expected) if (!re.test(r.stdout)) problems.push(`npm run drift does not name ${what} (${re}); report: ${reportBase}.md`);
  if (r.stdout.includes(String(secretEnv[Object.keys(secretEnv)[0]]))) problems.push("npm run drift: the canary is in its report");
  return problems;
}

/** The scenario. */
export async function runReviewScenario(): Promise<void> {
  const prereqs = await checkPrerequisites();
  const dir = path.join(workDir(), "review");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const moto = await MotoServer.start("review", path.join(dir, "moto.log"));
  const raw = readConfigDir(REVIEW_CONFIG_DIR)[REVIEW_STACK];
  const aws = new Aws(moto.endpoint, raw.region);
  const canary = `review-canary-${randomBytes(12).toString("hex")}`;
  const variable: string = raw.zenml.oauth2ClientSecretVariable;
  const update = process.env.REVIEW_FIXTURES_UPDATE === "1";
  const t0 = Date.now();
  try {
    // The hash of the unpatched synth: what the unit tests compare with their own synth.
    await synth(REVIEW_CONFIG_DIR, path.join(dir, "source-out"), path.join(dir, "synth.log"));
    const sourceHash = stackHash(readStack(path.join(dir, "source-out", "stacks", REVIEW_STACK)));

    const fixtures = await createFixtures(aws, REVIEW_CONFIG_DIR, [REVIEW_STACK], path.join(dir, "config"));
    const baseOut = path.join(dir, "base-out");
    await synth(fixtures.configDir, baseOut, path.join(dir, "synth.log"));
    const stackDir = path.join(baseOut, "stacks", REVIEW_STACK);
    const baseJsonText = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
    const secretEnv = { [`TF_VAR_${variable}`]: canary };
    const tf = new StackDir("review", stackDir, moto, path.join(dir, "review.log"), secretEnv);
    writeEmulatorOverride(stackDir, moto.endpoint);

    /** The head stack JSON of a case made from its environment file (synthesized while the base applies). */
    const configHead = async (c: ReviewCase): Promise<string> => {
      const caseDir = path.join(dir, "cases", c.name);
      const config = JSON.parse(JSON.stringify(readConfigDir(fixtures.configDir)[REVIEW_STACK])) as RawConfig;
      c.config!(config);
      writeConfigDir(fixtures.configDir, path.join(caseDir, "config"), { [REVIEW_STACK]: config });
      await synth(path.join(caseDir, "config"), path.join(caseDir, "out"), path.join(dir, "synth.log"));
      return fs.readFileSync(path.join(caseDir, "out", "stacks", REVIEW_STACK, "cdk.tf.json"), "utf8");
    };
    const configHeads = Promise.all(REVIEW_CASES.map((c) => (c.config ? configHead(c) : Promise.resolve(undefined))));
    configHeads.catch(() => undefined); // awaited below; no unhandled rejection while apply runs
    await tf.terraformOk(["init", "-input=false", "-no-color"]);
    await tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color"]);
    log("review", `base stack applied in ${((Date.now() - t0) / 1000).toFixed(0)}s`);

    // What the cases read of the applied state (ARNs, IDs), and the addresses the drift case changes.
    const stateJson = JSON.parse((await tf.terraformOk(["show", "-json", "-no-color"])).stdout);
    const values = new Map<string, Record<string, any>>(((stateJson.values?.root_module?.resources ?? []) as any[]).map((r) => [r.address, r.values]));
    const ctx: CaseContext = {
      state: (address) => {
        const v = values.get(address);
        if (!v) throw new Error(`review: ${address} is not in the applied state`);
        return v;
      },
    };
    DRIFT_ADDRESSES.stack = JSON.parse(baseJsonText);
    for (const c of REVIEW_CASES) if (c.prepare) await c.prepare(aws, ctx);
    const configTexts = await configHeads;
    const headTexts = REVIEW_CASES.map((c, i) => {
      if (c.config) return configTexts[i]!;
      if (!c.patch) return baseJsonText;
      const json = JSON.parse(baseJsonText) as StackJson;
      c.patch(json, ctx);
      return `${JSON.stringify(json, null, 2)}\n`;
    });

    /**
     * Plans `headText` against the applied state, in a directory of its own that shares the base
     * stack's initialized data dir (TF_DATA_DIR: providers, backend), so cases plan concurrently.
     * Without `refresh`, -refresh=false: the state was just written by apply; the plan compares the
     * configuration with it (real plans, no emulator re-reads). -lock=false: plans only. Returns the
     * plan JSON and Terraform's summary line ("Plan: … to add, …" or "No changes.").
     */
    const plan = async (name: string, headText: string, refresh = false): Promise<{ json: string; summary: string }> => {
      const planDir = path.join(dir, "cases", name, "stack");
      fs.mkdirSync(planDir, { recursive: true });
      fs.writeFileSync(path.join(planDir, "cdk.tf.json"), headText);
      for (const f of [OVERRIDE_FILE, ".terraform.lock.hcl"]) fs.copyFileSync(path.join(stackDir, f), path.join(planDir, f));
      const caseTf = new StackDir(`review/${name}`, planDir, moto, path.join(dir, `${name}.log`), { ...secretEnv, TF_DATA_DIR: path.join(stackDir, ".terraform") });
      const planned = await caseTf.terraformOk(["plan", ...(refresh ? [] : ["-refresh=false"]), "-lock=false", "-input=false", "-no-color", "-out=review.tfplan"]);
      fs.writeFileSync(path.join(planDir, "plan.txt"), planned.stdout);
      const show = await caseTf.terraformOk(["show", "-json", "-no-color", "review.tfplan"]);
      if (show.stdout.includes(canary) || planned.stdout.includes(canary)) throw new Error(`review: the canary OAuth2 client secret is in the plan of ${name}`);
      return { json: show.stdout, summary: terraformSummary(planned.stdout) };
    };
    const review = (planText: string, headJson: unknown): StackReview =>
      reviewPlan({ plan: JSON.parse(planText), source: "plan.json", stackJson: headJson as Record<string, any>, baseStackJson: JSON.parse(baseJsonText) });

    const limit = new Semaphore(2);
    const later = REVIEW_CASES.filter((c) => c.outOfBand);
    const [baselinePlan, ...firstPlans] = await Promise.all([
      limit.run(() => plan("baseline", baseJsonText)),
      ...REVIEW_CASES.map((c, i) => (c.outOfBand ? Promise.resolve(undefined) : limit.run(() => plan(c.name, headTexts[i])))),
    ]);
    // Drift: the changes outside Terraform come after every other plan, then a plan with refresh.
    const plans = [...firstPlans];
    for (const c of later) {
      await c.outOfBand!(aws, ctx);
      const i = REVIEW_CASES.indexOf(c);
      plans[i] = await plan(c.name, headTexts[i], true);
    }
    const problems: string[] = [];
    const baseline = review(baselinePlan.json, JSON.parse(baseJsonText));
    if (baseline.findings.length > 0) problems.push(`baseline (no change): ${compareFindings(baseline.findings, []).join("; ")}`);

    const written: Array<{ name: string; plan: string; head: string; summary: string }> = [];
    for (const [i, c] of REVIEW_CASES.entries()) {
      const caseDir = path.join(dir, "cases", c.name);
      const { json: planText, summary } = plans[i]!;
      const headText = headTexts[i];
      const result = review(planText, JSON.parse(headText));
      const outputs = [renderMarkdown([result]), renderJson([result])];
      if (outputs.some((o) => o.includes(canary))) problems.push(`${c.name}: the canary is in the review output`);
      const diff = compareFindings(result.findings, c.expected);
      if (diff.length > 0) problems.push(`${c.name} (${c.description}):\n    ${diff.join("\n    ")}`);
      const counted = countsAgainstSummary(result.counts, summary);
      if (counted.length > 0) problems.push(`${c.name}: the counts differ from Terraform's "${summary}": ${counted.join("; ")}`);
      log("review", `${c.name}: ${summary} ${result.findings.map((f) => `${f.severity}/${f.kind} ${f.address}${f.attribute ? ` [${f.attribute}]` : ""}`).join(", ")}`);
      fs.mkdirSync(caseDir, { recursive: true });
      fs.writeFileSync(path.join(caseDir, "review.md"), outputs[0]);
      fs.writeFileSync(path.join(caseDir, "plan.json"), planText);
      fs.writeFileSync(path.join(caseDir, "cdk.tf.json"), headText);
      written.push({ name: c.name, plan: planText, head: headText, summary });
    }

    // `npm run drift` on the applied stack after the changes outside Terraform: exit 1, each change named.
    if (later.length > 0) problems.push(...(await checkDriftCommand(baseOut, moto.endpoint, secretEnv, path.join(dir, "drift"))));
    if (problems.length > 0) throw new Error(`review: the reviews of the matrix differ from the expected findings:\n  ${problems.join("\n  ")}`);

    if (update) {
      fs.rmSync(REVIEW_FIXTURES_DIR, { recursive: true, force: true });
      for (const w of written) {
        const out = path.join(REVIEW_FIXTURES_DIR, w.name);
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, "plan.json"), fixturePlanText(JSON.parse(w.plan)));
        fs.writeFileSync(path.join(out, "cdk.tf.json"), `${maskVolatile(JSON.stringify(JSON.parse(w.head)))}\n`);
      }
      const base = path.join(REVIEW_FIXTURES_DIR, "base", "stacks", REVIEW_STACK);
      fs.mkdirSync(base, { recursive: true });
      fs.writeFileSync(path.join(base, "cdk.tf.json"), `${maskVolatile(JSON.stringify(JSON.parse(baseJsonText)))}\n`);
      const manifest: ReviewFixtureManifest = {
        baseStackSha256: sourceHash,
        regenerate: REGENERATE_COMMAND,
        terraform: prereqs.terraformVersion,
        cases: Object.fromEntries(REVIEW_CASES.map((c, i) => [c.name, { description: c.description, how: c.how, terraformSummary: written[i].summary }])),
      };
      fs.writeFileSync(REVIEW_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
      fs.writeFileSync(DOCS_FILE, docsWithExample(fs.readFileSync(DOCS_FILE, "utf8")));
      log("review", `fixtures written to ${path.relative(process.cwd(), REVIEW_FIXTURES_DIR)} in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    }
  } finally {
    aws.close();
    await moto.stop();
  }
}
