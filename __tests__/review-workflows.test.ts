/**
 * The workflow steps of the plan review and the drift check: the PR workflow uploads the review's
 * SARIF to code scanning and the full (masked) review as the job summary and an artifact; the nightly
 * drift workflow runs `npm run drift`'s script per stack and keeps one issue per stack.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "./helpers";

const workflow = (file: string) => parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8"));
const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;

describe("pr.yml: review findings as SARIF, the full review in the job summary and an artifact", () => {
  const plan = workflow("pr.yml").jobs.plan;
  const steps: any[] = plan.steps;
  const index = (pred: (s: any) => boolean) => {
    const i = steps.findIndex(pred);
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };

  test("the comment names where the full report is", () => {
    const review = steps[index((s) => /--fail-on "\$FAIL_ON"/.test(s.run ?? ""))];
    expect(review.run).toContain('--full-report "the job summary and the artifact plan-review-$STACK of run $GITHUB_RUN_ID"');
  });

  test("SARIF written by npm run review and uploaded to code scanning, per stack, even when the gate failed", () => {
    const write = index((s) => /--format sarif --output "\$dir\/review\.sarif"/.test(s.run ?? ""));
    expect(steps[write].run).toContain('npm run --silent review -- "$dir/plan.json" "${base[@]}" --format sarif --output "$dir/review.sarif"');
    expect(steps[write].run).toContain('dir="cdktf.out/stacks/$STACK"');
    expect(steps[write].if).toMatch(/always\(\)/);
    const upload = index((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@") && s.with?.sarif_file?.includes("review.sarif"));
    expect(steps[upload].uses).toMatch(PINNED);
    expect(steps[upload].with).toEqual({ sarif_file: "cdktf.out/stacks/${{ matrix.stack }}/review.sarif", category: "zenml-plan-review-${{ matrix.stack }}" });
    expect(steps[upload].if).toMatch(/always\(\) && hashFiles\(.*review\.sarif/);
    expect(plan.permissions["security-events"]).toBe("write");
    expect(write).toBeLessThan(upload);
    // After the plan, before or after the comment: but never before the plan exists.
    expect(index((s) => s.name === "terraform plan")).toBeLessThan(write);
  });

  test("the uncut review goes to the job summary and an artifact that holds no raw plan", () => {
    const full = steps[index((s) => /--max-chars 0 --output "\$dir\/review-full\.md"/.test(s.run ?? ""))];
    expect(full.run).toMatch(/head -c 1000000 "\$dir\/review-full\.md" >> "\$GITHUB_STEP_SUMMARY"/);
    const artifact = steps[index((s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.name === "plan-review-${{ matrix.stack }}")];
    expect(artifact.uses).toMatch(PINNED);
    const paths: string[] = artifact.with.path.trim().split("\n");
    expect(paths.map((p) => path.basename(p)).sort()).toEqual(["review-full.md", "review.json", "review.sarif"]);
    expect(artifact.with.path).not.toMatch(/plan\.(txt|json)/);
  });
});

describe("drift.yml: nightly, per stack, one issue per stack", () => {
  const wf = workflow("drift.yml");

  test("scheduled nightly (and by hand), read-only by default", () => {
    expect(wf.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
    expect(Object.keys(wf.on)).toEqual(["schedule", "workflow_dispatch"]);
    expect(wf.permissions).toEqual({ contents: "read" });
  });

  test("each stack: synth, the read-only plan role, the drift script with exit 0/1 kept and 2 failing the job", () => {
    const job = wf.jobs.drift;
    expect(job.needs).toBe("stacks");
    expect(job.strategy.matrix.stack).toBe("${{ fromJSON(needs.stacks.outputs.stacks) }}");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    const steps: any[] = job.steps;
    for (const s of steps.filter((x) => x.uses)) expect(s.uses).toMatch(PINNED);
    const names = steps.map((s) => s.uses?.replace(/@.*/, "") ?? s.run);
    const aws = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
    expect(aws.with["role-to-assume"]).toBe("${{ vars.AWS_PLAN_ROLE_ARN }}");
    const drift = steps.find((s) => s.id === "drift");
    expect(drift.run).toContain('scripts/tf-env.sh node dist/scripts/drift.js "$STACK" --output "drift-$STACK.md"');
    expect(drift.run).toContain('echo "exit=$code" >> "$GITHUB_OUTPUT"');
    expect(drift.run.trim().split("\n").pop()).toBe('[ "$code" -le 1 ]');
    expect(fs.existsSync(path.join(ROOT, "scripts", "drift.ts"))).toBe(true);
    const order = ["npm ci --no-audit --no-fund", "npm run synth", "aws-actions/configure-aws-credentials", drift.run, "actions/github-script"];
    expect(order.map((x) => names.indexOf(x))).toEqual([...order.map((x) => names.indexOf(x))].sort((a, b) => a - b));
    expect(order.every((x) => names.includes(x))).toBe(true);
  });

  test("the issue step opens or updates the one marked issue on drift, closes it when the drift is gone", () => {
    const step = wf.jobs.drift.steps.find((s: any) => s.uses?.startsWith("actions/github-script"));
    expect(step.if).toBe("steps.drift.outputs.exit == '0' || steps.drift.outputs.exit == '1'");
    expect(step.env.DRIFT_EXIT).toBe("${{ steps.drift.outputs.exit }}");
    const script: string = step.with.script;
    expect(script).toContain("const marker = `<!-- zenml-drift:${stack} -->`;");
    expect(script).toMatch(/i\.body\.startsWith\(marker\)/);
    expect(script).toMatch(/if \(open\.length === 0\) \{\s*await github\.rest\.issues\.create\(\{ owner, repo, title: `Drift: \$\{stack\}`, body, labels: \["drift"\] \}\);/);
    expect(script).toMatch(/issue_number: open\[0\]\.number, body/);
    expect(script).toMatch(/for \(const extra of open\.slice\(1\)\)/);
    expect(script).toMatch(/state: "closed", state_reason: "completed"/);
  });
});
