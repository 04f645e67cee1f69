/**
 * The plan-review scenario (`npm run review`, issue 16): applies the review stack (e2e/review/config,
 * a dev-preset workspace with an alarm e-mail and a deploy-time OAuth2 secret) on moto once, then for
 * each change of the matrix writes a second version of the stack, runs `terraform plan -out` and
 * `terraform show -json` against the applied state, and asserts the review of that real plan: exactly
 * the expected findings (kind, severity, address, attribute). A canary OAuth2 client secret passed as
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
import { checkPrerequisites, log, MotoServer, OVERRIDE_FILE, readStack, Aws, Semaphore, StackDir, StackJson, synth, workDir, writeEmulatorOverride } from "./harness";
import { compareFindings, docsWithExample, DOCS_FILE, fixturePlanText, maskVolatile, ReviewCase, REGENERATE_COMMAND, REVIEW_CASES, REVIEW_CONFIG_DIR, REVIEW_FIXTURES_DIR, REVIEW_MANIFEST, REVIEW_STACK, ReviewFixtureManifest, stackHash } from "./review-fixtures";

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

    /** The head stack JSON of a case: its environment file synthesized, or the base JSON patched. */
    const head = async (c: ReviewCase): Promise<string> => {
      const caseDir = path.join(dir, "cases", c.name);
      if (c.patch) {
        const json = JSON.parse(baseJsonText) as StackJson;
        c.patch(json);
        return `${JSON.stringify(json, null, 2)}\n`;
      }
      const config = JSON.parse(JSON.stringify(readConfigDir(fixtures.configDir)[REVIEW_STACK])) as RawConfig;
      c.config!(config);
      writeConfigDir(fixtures.configDir, path.join(caseDir, "config"), { [REVIEW_STACK]: config });
      await synth(path.join(caseDir, "config"), path.join(caseDir, "out"), path.join(dir, "synth.log"));
      return fs.readFileSync(path.join(caseDir, "out", "stacks", REVIEW_STACK, "cdk.tf.json"), "utf8");
    };
    // The second versions are synthesized while the base stack is applied.
    const heads = Promise.all(REVIEW_CASES.map(head));
    heads.catch(() => undefined); // awaited below; no unhandled rejection while apply runs
    await tf.terraformOk(["init", "-input=false", "-no-color"]);
    await tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color"]);
    log("review", `base stack applied in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    const headTexts = await heads;

    /**
     * Plans `headText` against the applied state, in a directory of its own that shares the base
     * stack's initialized data dir (TF_DATA_DIR: providers, backend), so cases plan concurrently.
     * -refresh=false: the state was just written by apply; the plan compares the configuration with
     * it (real plans, no emulator re-reads). -lock=false: plans only.
     */
    const plan = async (name: string, headText: string): Promise<string> => {
      const planDir = path.join(dir, "cases", name, "stack");
      fs.mkdirSync(planDir, { recursive: true });
      fs.writeFileSync(path.join(planDir, "cdk.tf.json"), headText);
      for (const f of [OVERRIDE_FILE, ".terraform.lock.hcl"]) fs.copyFileSync(path.join(stackDir, f), path.join(planDir, f));
      const caseTf = new StackDir(`review/${name}`, planDir, moto, path.join(dir, `${name}.log`), { ...secretEnv, TF_DATA_DIR: path.join(stackDir, ".terraform") });
      await caseTf.terraformOk(["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color", "-out=review.tfplan"]);
      const show = await caseTf.terraformOk(["show", "-json", "-no-color", "review.tfplan"]);
      if (show.stdout.includes(canary)) throw new Error(`review: the canary OAuth2 client secret is in the plan of ${name}`);
      return show.stdout;
    };
    const review = (planText: string, headJson: unknown): StackReview =>
      reviewPlan({ plan: JSON.parse(planText), source: "plan.json", stackJson: headJson as Record<string, any>, baseStackJson: JSON.parse(baseJsonText) });

    const limit = new Semaphore(3);
    const [baselinePlan, ...planTexts] = await Promise.all([
      limit.run(() => plan("baseline", baseJsonText)),
      ...REVIEW_CASES.map((c, i) => limit.run(() => plan(c.name, headTexts[i]))),
    ]);
    const problems: string[] = [];
    const baseline = review(baselinePlan, JSON.parse(baseJsonText));
    if (baseline.findings.length > 0) problems.push(`baseline (no change): ${compareFindings(baseline.findings, []).join("; ")}`);

    const written: Array<{ name: string; plan: string; head: string }> = [];
    for (const [i, c] of REVIEW_CASES.entries()) {
      const caseDir = path.join(dir, "cases", c.name);
      const [planText, headText] = [planTexts[i], headTexts[i]];
      const result = review(planText, JSON.parse(headText));
      const outputs = [renderMarkdown([result]), renderJson([result])];
      if (outputs.some((o) => o.includes(canary))) problems.push(`${c.name}: the canary is in the review output`);
      const diff = compareFindings(result.findings, c.expected);
      if (diff.length > 0) problems.push(`${c.name} (${c.description}):\n    ${diff.join("\n    ")}`);
      log("review", `${c.name}: ${result.findings.map((f) => `${f.severity}/${f.kind} ${f.address}${f.attribute ? ` [${f.attribute}]` : ""}`).join(", ")}`);
      fs.writeFileSync(path.join(caseDir, "review.md"), outputs[0]);
      fs.writeFileSync(path.join(caseDir, "plan.json"), planText);
      fs.writeFileSync(path.join(caseDir, "cdk.tf.json"), headText);
      written.push({ name: c.name, plan: planText, head: headText });
    }
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
        cases: Object.fromEntries(REVIEW_CASES.map((c) => [c.name, { description: c.description, how: c.how }])),
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
