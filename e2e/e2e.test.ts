/**
 * End-to-end: every stack of config/ (dev, prod, state-bootstrap) and of every examples/<name>/config
 * is synthesized, applied with the real terraform CLI (the shipped dev stack through the cdktf CLI)
 * against a moto server, checked through the AWS API, re-planned, and destroyed.
 * See e2e/README.md. Run with `npm run test:e2e`.
 *
 * Environment: E2E_CONCURRENCY (components at once, default 4), E2E_ONLY (regex on test names),
 * E2E_CDKTF_STACKS (group/stack list deployed with cdktf, default "config/dev"; "none" for none),
 * E2E_VERIFY_STACKS (group/stack list checked with `npm run verify` after the apply, default "config/dev"; "none"),
 * E2E_WORK_DIR (scratch dir, default a new temp dir; logs and report.md are kept there).
 */
import * as fs from "fs";
import * as path from "path";
import { BOOTSTRAP_STACK } from "../lib/config/load";
import { APP, checkPrerequisites, log, Manifest, readStack, REPO, resourceBlockCount, Semaphore, synthSync, workDir } from "./harness";
import { writeReport } from "./report";
import { runReviewScenario } from "./review";
import { runRestoreDrill } from "./restore-drill";
import { runStandaloneStack } from "./standalone-stack";
import { components, ConfigGroup, REPORTS, runBootstrap, runComponent } from "./scenarios";

const TEST_TIMEOUT_MS = 60 * 60_000;
const suiteStart = Date.now();

const groups: ConfigGroup[] = [
  { label: "config", dir: path.join(REPO, "config") },
  ...(fs.existsSync(path.join(REPO, "examples")) ? fs.readdirSync(path.join(REPO, "examples")).sort() : [])
    .map((name) => ({ label: `examples/${name}`, dir: path.join(REPO, "examples", name, "config") }))
    .filter((g) => fs.existsSync(g.dir)),
];

const cdktfStacks = new Set(
  (process.env.E2E_CDKTF_STACKS ?? "config/dev")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "none"),
);

const verifyStacks = new Set(
  (process.env.E2E_VERIFY_STACKS ?? "config/dev")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "none"),
);

/**
 * Groups whose stacks all share one moto server, i.e. one account and region: the shipped dev and prod
 * are deployed side by side, as docs/environments.md promises.
 */
const ONE_ACCOUNT_GROUPS = new Set(["config"]);

interface Job {
  readonly name: string;
  /** Rough duration, to start the longest first. */
  readonly weight: number;
  readonly run: () => Promise<void>;
}

function isProtectedStack(manifest: Manifest, outDir: string, stack: string): boolean {
  const json = readStack(path.join(outDir, manifest.stacks[stack].workingDirectory));
  return (
    Object.values(json.resource?.aws_db_instance ?? {}).some((r) => r.deletion_protection === true) ||
    Object.values(json.resource?.aws_lb ?? {}).some((r) => r.enable_deletion_protection === true)
  );
}

const jobs: Job[] = [];
let discoveryError: Error | undefined;
try {
  if (!fs.existsSync(APP)) throw new Error(`${path.relative(REPO, APP)} is missing: run \`npm run build\` first (\`npm run test:e2e\` does)`);
  for (const group of groups) {
    const outDir = path.join(workDir(), "discovery", group.label.replace(/\//g, "_"));
    const manifest = synthSync(group.dir, outDir);
    const independent = components(manifest, [BOOTSTRAP_STACK]);
    for (const stacks of ONE_ACCOUNT_GROUPS.has(group.label) ? [independent.flat().sort()] : independent) {
      const via = stacks.map((s) => (cdktfStacks.has(`${group.label}/${s}`) ? `${s} via cdktf` : s));
      const weight = stacks.reduce(
        (w, s) => w + resourceBlockCount(readStack(path.join(outDir, manifest.stacks[s].workingDirectory))) + (isProtectedStack(manifest, outDir, s) ? 60 : 0),
        0,
      );
      const viaCdktf = new Set(stacks.filter((s) => cdktfStacks.has(`${group.label}/${s}`)));
      const verify = new Set(stacks.filter((s) => verifyStacks.has(`${group.label}/${s}`)));
      // The cdktf CLI adds a synth, a diff and its own start-up to a stack's run.
      jobs.push({ name: `${group.label}: ${via.join(" + ")}`, weight: weight + 80 * viaCdktf.size, run: () => runComponent(group, manifest, stacks, { viaCdktf, verify }) });
    }
    if (group.label === "config" && manifest.stacks[BOOTSTRAP_STACK]) {
      jobs.push({ name: `${group.label}: ${BOOTSTRAP_STACK}`, weight: 10, run: () => runBootstrap(group, BOOTSTRAP_STACK) });
    }
  }
  // The plan review matrix (e2e/review.ts): one applied stack, twelve real plans and npm run drift; writes the review
  // fixtures of __tests__/fixtures/review with REVIEW_FIXTURES_UPDATE=1.
  jobs.push({ name: "review: plan review matrix (npm run review)", weight: 150, run: runReviewScenario });
  // The restore runbook and the pre-migration snapshots, followed literally (e2e/restore-drill.ts).
  jobs.push({ name: "drill: restore into a new environment with the old key; pre-migration snapshots", weight: 150, run: runRestoreDrill });
  // A copied stack folder applies outside the repository, its pre-migration snapshot included (e2e/standalone-stack.ts).
  jobs.push({ name: "standalone: a copied stack folder applies outside the repository; pre-migration snapshot", weight: 100, run: runStandaloneStack });
} catch (e) {
  discoveryError = e as Error;
}

const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : undefined;
const selected = jobs.filter((j) => !only || only.test(j.name)).sort((a, b) => b.weight - a.weight);
const limit = new Semaphore(Math.max(1, Number(process.env.E2E_CONCURRENCY ?? 4)));

describe("e2e: every stack against an emulated AWS (moto)", () => {
  if (discoveryError) {
    test("discover the stacks to test", () => {
      throw discoveryError;
    });
  }

  if (!only) {
    test.concurrent("covers the shipped environments, the bootstrap stack and a cdktf CLI run", async () => {
      await checkPrerequisites();
      const names = jobs.map((j) => j.name);
      expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^config: .*\bdev\b/), expect.stringMatching(/^config: .*\bprod\b/), `config: ${BOOTSTRAP_STACK}`]));
      expect(names.some((n) => n.includes("via cdktf"))).toBe(true);
    });
  }

  for (const job of selected) {
    test.concurrent(
      job.name,
      async () => {
        await checkPrerequisites();
        await limit.run(async () => {
          const t0 = Date.now();
          log(job.name, "start");
          try {
            await job.run();
            log(job.name, `passed in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
          } catch (e) {
            log(job.name, `FAILED after ${((Date.now() - t0) / 1000).toFixed(0)}s: ${(e as Error).message.split("\n")[0]}`);
            throw e;
          }
        });
      },
      TEST_TIMEOUT_MS,
    );
  }

  afterAll(() => {
    const markdown = writeReport(REPORTS, Date.now() - suiteStart);
    process.stderr.write(`\n${markdown}\n`);
    log("report", `written to ${path.join(workDir(), "report.md")}`);
  });
});
