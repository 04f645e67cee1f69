/**
 * scripts/rego-tests.sh: NOT RUN without the tools (exit 0), a failure with REQUIRE_OPA=1; with the
 * tools it runs every check, and fails when one fails or the plan fixture's denials differ. The
 * tools are stubs here (no opa or conftest can be installed): they log their arguments and answer
 * as the real ones would.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tempDir } from "./helpers";

const SCRIPT = path.join(ROOT, "scripts", "rego-tests.sh");
const conftestJson = (ids: string[]) => JSON.stringify([{ filename: "plan.json", namespace: "main", successes: 1, failures: ids.map((id) => ({ msg: `${id} x: y. Fix: z` })) }]);

let work: string;
/** A folder with only the commands the script and the stubs use, so an installed opa or conftest stays out of PATH. */
let basics: string;
beforeAll(() => {
  work = tempDir("zenml-rego-script-");
  basics = path.join(work, "basics");
  fs.mkdirSync(basics);
  for (const cmd of ["bash", "env", "dirname", "head", "grep"]) {
    const found = spawnSync("bash", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).stdout.trim();
    fs.symlinkSync(found, path.join(basics, cmd));
  }
  fs.symlinkSync(process.execPath, path.join(basics, "node"));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A folder with stub `opa` and `conftest` that log their arguments; `failOn` makes a matching call exit 1. */
function stubs(name: string, options: { failOn?: RegExp; planDenials?: [string[], string[]] } = {}): { bin: string; log: string } {
  const bin = path.join(work, name, "bin");
  const log = path.join(work, name, "calls.log");
  fs.mkdirSync(bin, { recursive: true });
  const [bare, withData] = options.planDenials ?? [["ZNALB4", "ZNRDS1"], ["ZNRDS1"]];
  const fail = options.failOn ? `if echo "$0 $*" | grep -Eq '${options.failOn.source}'; then exit 1; fi` : "";
  for (const tool of ["opa", "conftest"]) {
    fs.writeFileSync(
      path.join(bin, tool),
      `#!/usr/bin/env bash\necho "${tool} $*" >> "${log}"\n${fail.replace("$0", tool)}\n` +
        (tool === "conftest"
          ? `case "$*" in *--output\\ json*--data*) echo '${conftestJson(withData)}' ;; *--output\\ json*) echo '${conftestJson(bare)}' ;; --version) echo "Conftest: 0.68.2" ;; esac\n`
          : `[ "$1" = version ] && echo "Version: 1.19.0"\nexit 0\n`),
      { mode: 0o755 },
    );
  }
  return { bin, log };
}

function run(env: Record<string, string>, bin?: string) {
  const PATH = [bin, basics].filter(Boolean).join(":");
  return spawnSync(path.join(basics, "bash"), [SCRIPT], { cwd: ROOT, env: { PATH, HOME: process.env.HOME ?? "/tmp", ...env }, encoding: "utf8" });
}

test("without opa and conftest: NOT RUN with the reason, exit 0", () => {
  const r = run({});
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^NOT RUN: opa is not on PATH: .*were not executed\.$/m);
  expect(r.stdout).toMatch(/^NOT RUN: conftest is not on PATH: .*were not executed\.$/m);
});

test("REQUIRE_OPA=1 without the tools: exit 1, nothing claimed as run", () => {
  const r = run({ REQUIRE_OPA: "1" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("FAIL: REQUIRE_OPA=1 but not on PATH: opa conftest");
  expect(r.stdout).not.toContain("NOT RUN");
});

test("REQUIRE_OPA=1 without synthesized stacks: exit 1", () => {
  const { bin } = stubs("no-stacks");
  const r = run({ REQUIRE_OPA: "1", CDKTF_OUTDIR: path.join(work, "empty") }, bin);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("no synthesized stacks");
});

describe("with the tools", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = path.join(work, "cdktf.out");
    for (const stack of ["dev", "prod"]) {
      fs.mkdirSync(path.join(outdir, "stacks", stack), { recursive: true });
      fs.writeFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "{}");
    }
  });

  test("runs check --strict, fmt, test with the corpus, verify, test on every stack and on the plan fixture", () => {
    const { bin, log } = stubs("all-pass");
    const r = run({ REQUIRE_OPA: "1", CDKTF_OUTDIR: outdir }, bin);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("NOT RUN");
    const plan = "__tests__/fixtures/plan";
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "opa version",
      "opa check --strict policy/",
      "opa fmt --list --fail policy/",
      "opa test policy/ policy-corpus/ -v",
      "conftest --version",
      "conftest verify --policy policy --data policy-corpus",
      `conftest test --policy policy ${outdir}/stacks/dev/cdk.tf.json ${outdir}/stacks/prod/cdk.tf.json`,
      `conftest test --policy policy --no-fail --output json ${plan}/plan.json`,
      `conftest test --policy policy --no-fail --output json --data ${plan}/cdk.tf.json ${plan}/plan.json`,
    ]);
  });

  test.each([
    ["opa check", /^opa check/],
    ["opa fmt", /^opa fmt --list/],
    ["opa test", /^opa test/],
    ["conftest verify", /^conftest verify/],
    ["conftest test on the stacks", /^conftest test --policy policy \/.*cdk\.tf\.json$/],
  ])("a failing %s fails the script", (_, failOn) => {
    const { bin } = stubs(`fail-${failOn.source.replace(/\W/g, "")}`, { failOn });
    expect(run({ CDKTF_OUTDIR: outdir }, bin).status).not.toBe(0);
  });

  test("plan fixture denials other than expected fail the script", () => {
    const { bin } = stubs("plan-differs", { planDenials: [["ZNRDS1"], ["ZNRDS1"]] });
    const r = run({ CDKTF_OUTDIR: outdir }, bin);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("denied [ZNRDS1], expected [ZNALB4 ZNRDS1]");
  });
});
