/**
 * lib/resolve-once.ts: every element resolved once per synth, plain data not resolved at all. The
 * output must be exactly cdktf 0.21's: each stack of the shipped config and of every example is
 * synthesized twice from the same config, once as buildApp sets it up and once with cdktf's own
 * prepareStack/toTerraform, and the files compared byte for byte. A change after prepareStack (a
 * user's aspect, an override) must show; resolveFast (and a Terraform function resolving each argument
 * once) must give cdktf's result and errors on values built to reach each branch. The policy pack checks the fragments prepareStack kept: they must be
 * the resources cdktf wrote.
 */
import * as fs from "fs";
import * as path from "path";
import { IConstruct } from "constructs";
import { App, Aspects, DefaultTokenResolver, Fn, IAspect, Lazy, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Token, Tokenization } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { buildApp } from "../lib/app";
import { loadEnvironments } from "../lib/config/load";
import { policyResultOf, PolicyResource } from "../lib/policy";
import { configResources } from "../lib/policy/load";
import { declareOverrideOnlyAspect, resolveFast, resolveFunctionArgumentsOnce } from "../lib/resolve-once";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CONFIG_DIR, configFrom, ROOT, shippedFile, tempDir } from "./helpers";

const DIRS = [CONFIG_DIR, ...fs.readdirSync(path.join(ROOT, "examples")).map((e) => path.join(ROOT, "examples", e, "config"))];
const quiet = { policyLog: () => undefined };
const stacksOf = (app: App) => app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));

/** cdktf's own prepareStack/toTerraform again: the instance methods resolveEachElementOnce set are removed. */
function withCdktfSynthesis(app: App): App {
  for (const s of stacksOf(app)) {
    delete (s as Partial<TerraformStack>).prepareStack;
    delete (s as Partial<TerraformStack>).toTerraform;
  }
  return app;
}

/** `f` with cdktf's own FunctionCall resolution (the jest setup turns resolveFunctionArgumentsOnce on, as main.ts does). */
function cdktfOwn<T>(f: () => T): T {
  resolveFunctionArgumentsOnce(false);
  try {
    return f();
  } finally {
    resolveFunctionArgumentsOnce(true);
  }
}

/** Every stack's cdk.tf.json after app.synth(), by stack name. */
function synthesized(app: App): Record<string, string> {
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(dir).sort().map((s) => [s, fs.readFileSync(path.join(dir, s, "cdk.tf.json"), "utf8")]));
}

/** Without cdktf's "//" metadata (construct paths, suppression comments), as Testing.synth writes a stack. */
const withoutMetadata = (x: unknown): unknown =>
  Array.isArray(x) ? x.map(withoutMetadata) : x && typeof x === "object" ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== "//").map(([k, v]) => [k, withoutMetadata(v)])) : x;
const byAddress = (rs: readonly PolicyResource[]) => rs.map((r) => ({ address: r.address, attributes: r.attributes })).sort((a, b) => (a.address < b.address ? -1 : 1));

describe("the synthesized stacks are cdktf's, byte for byte, and the policy pack checked what was written", () => {
  test.each(DIRS.map((d) => [path.relative(ROOT, d), d]))("%s", (_name, dir) => {
    const configs = loadEnvironments(dir);
    const app = buildApp(new App({ outdir: tempDir("resolve-once-") }), configs, quiet);
    const once = synthesized(app);
    const cdktf = cdktfOwn(() => synthesized(withCdktfSynthesis(buildApp(new App({ outdir: tempDir("resolve-cdktf-") }), configs, quiet))));
    expect(Object.keys(once)).toEqual(Object.keys(cdktf));
    expect(Object.keys(once).length).toBeGreaterThan(1);
    for (const stack of Object.keys(cdktf)) expect(once[stack]).toBe(cdktf[stack]);
    // The pack checked the fragments prepareStack kept (lib/policy/aspect.ts stackInput), not the written
    // files: they must be the resources cdktf wrote. A cross-stack remote state (a TerraformRemoteState, not
    // a data source construct) was never among them.
    const checked = policyResultOf(app)!.inputs;
    expect(checked.map((i) => i.source).sort()).toEqual(Object.keys(cdktf).sort());
    for (const stack of Object.keys(cdktf)) {
      const written = byAddress(configResources(withoutMetadata(JSON.parse(cdktf[stack])) as Parameters<typeof configResources>[0]).filter((r) => r.type !== "terraform_remote_state"));
      const seen = byAddress(checked.find((i) => i.source === stack)!.resources);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual(written);
    }
  });
});

describe("what changes after prepareStack is written", () => {
  const setup = (configure: (app: App, dashboard: CloudwatchDashboard) => void) => {
    const build = () => {
      const app = buildApp(new App({ outdir: tempDir("resolve-change-") }), [configFrom(shippedFile("dev"), "dev")], quiet);
      // A resource no app aspect overrides (it has no suppression): only a change after prepareStack can make it stale.
      const dashboard = app.node.findAll().find((c): c is CloudwatchDashboard => c instanceof CloudwatchDashboard)!;
      configure(app, dashboard);
      return { app, dashboard };
    };
    return { once: build(), cdktf: build() };
  };
  const stackOf = (b: CloudwatchDashboard) => TerraformStack.of(b).node.id;
  const countToTerraform = (b: CloudwatchDashboard) => {
    let calls = 0;
    const original = b.toTerraform.bind(b);
    b.toTerraform = () => (calls++, original());
    return () => calls;
  };

  test("with only the app's own aspects, an element is resolved once unless an aspect overrode it after prepareStack", () => {
    const app = buildApp(new App({ outdir: tempDir("resolve-count-") }), [configFrom(shippedFile("dev"), "dev")], quiet);
    const calls = new Map<TerraformElement, number>();
    for (const e of app.node.findAll().filter((c): c is TerraformElement => TerraformElement.isTerraformElement(c))) {
      const original = e.toTerraform.bind(e);
      e.toTerraform = () => (calls.set(e, (calls.get(e) ?? 0) + 1), original());
    }
    app.synth();
    const overridden = (e: TerraformElement) => Object.keys((e as unknown as { rawOverrides: object }).rawOverrides);
    const twice = [...calls].filter(([, n]) => n === 2).map(([e]) => e);
    expect([...calls.values()].every((n) => n === 1 || n === 2)).toBe(true);
    // The app's aspects override the suppressed resources ("//") and the providers ("default_tags"): only those are resolved again.
    for (const e of twice) expect(overridden(e).some((k) => k === "//" || k === "default_tags")).toBe(true);
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.length).toBeLessThan(calls.size / 4);
  });

  test("a user's aspect that sets an attribute: the stack is resolved afresh, and the change is written", () => {
    class RenameDashboards implements IAspect {
      visit(node: IConstruct): void {
        if (node instanceof CloudwatchDashboard) node.dashboardName = "renamed";
      }
    }
    const { once, cdktf } = setup((app) => {
      for (const s of stacksOf(app)) Aspects.of(s).add(new RenameDashboards());
    });
    const calls = countToTerraform(once.dashboard);
    const a = synthesized(once.app)[stackOf(once.dashboard)];
    expect(calls()).toBe(2);
    expect(JSON.parse(a).resource.aws_cloudwatch_dashboard[once.dashboard.friendlyUniqueId].dashboard_name).toBe("renamed");
    expect(a).toBe(cdktfOwn(() => synthesized(withCdktfSynthesis(cdktf.app)))[stackOf(cdktf.dashboard)]);
  });

  test("an override by a declared aspect after prepareStack drops that element's kept fragment, and is written", () => {
    const addTag = declareOverrideOnlyAspect({
      visit(node: IConstruct) {
        if (node instanceof CloudwatchDashboard) node.addOverride("dashboard_name", "late");
      },
    });
    const { once, cdktf } = setup((app) => {
      for (const s of stacksOf(app)) Aspects.of(s).add(addTag);
    });
    const a = synthesized(once.app)[stackOf(once.dashboard)];
    expect(JSON.parse(a).resource.aws_cloudwatch_dashboard[once.dashboard.friendlyUniqueId].dashboard_name).toBe("late");
    expect(a).toBe(cdktfOwn(() => synthesized(withCdktfSynthesis(cdktf.app)))[stackOf(cdktf.dashboard)]);
  });

  test("a kept fragment serves one toTerraform(): a change made after a synth shows in the next", () => {
    const { once } = setup(() => undefined);
    const stack = TerraformStack.of(once.dashboard);
    stack.prepareStack();
    stack.toTerraform();
    once.dashboard.dashboardName = "renamed";
    const again = stack.toTerraform() as any;
    expect(again.resource.aws_cloudwatch_dashboard[once.dashboard.friendlyUniqueId].dashboard_name).toBe("renamed");
  });
});

describe("resolveFast gives cdktf's result", () => {
  const app = new App({ outdir: tempDir("resolve-fast-") });
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  const bucket = new S3Bucket(stack, "b", {});
  let produced = 0;
  const lazy = Lazy.stringValue({ produce: () => `lazy-${++produced}` });
  const pureLazy = Lazy.stringValue({ produce: () => "pure" });
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cases: Record<string, unknown> = {
    plain: { a: "x", b: [1, true, null, undefined, "y"], c: { d: undefined, e: { f: "g" } }, n: 3.5, z: -0 },
    "strings an encoded number could match": ["1e5", "v-1e+2", "arn:aws:s3:::b1e9", "2.5E3", "e1", "no match"],
    "a string token": { id: bucket.id, arn: `prefix/${bucket.arn}/suffix` },
    "a number token": { n: bucket.node.id.length, t: Token.asNumber(bucket.id) },
    "a number token inside a string": `count=${Token.asNumber(bucket.id)}`,
    "a list token": { l: Token.asList(bucket.id), inList: [Token.asList(bucket.id)] },
    "a map token key": { [Token.asString(Token.asAnyMap(bucket.id))]: "v" },
    "a map token value": { m: Token.asStringMap(bucket.tags) },
    "a function": Fn.jsonencode({ widgets: [{ a: bucket.arn, b: [1, "two", { c: bucket.id }] }] }),
    "nested functions, shared and repeated values": (() => {
      const shared = { arn: bucket.arn, list: ["x", bucket.id, { deep: [Fn.upper(bucket.id), "1e5", undefined] }] };
      return Fn.jsonencode({ a: shared, b: [shared, shared.list, Fn.jsonencode(shared)], c: Token.asList(bucket.id), d: pureLazy, e: "${literal}", f: `in ${bucket.arn} text` });
    })(),
    "a Lazy": { v: lazy },
    "an IResolvable object": { r: { resolve: () => "resolved" } },
    "a date": { d: new Date(0) },
    "a class instance": { o: new (class Thing { x = 1; })() },
    "an output reference": new TerraformOutput(stack, "o", { value: bucket.arn }).value,
    "escapes": ["${var.x}", "$${literal}", "a}b"],
  };
  const outcome = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (e) {
      return { error: (e as Error).message.split("\n")[0] };
    }
  };

  test.each(Object.keys(cases))("%s", (name) => {
    for (const preparing of [true, false]) {
      produced = 0;
      const fast = outcome(() => resolveFast(cases[name], { scope: stack, preparing }));
      produced = 0;
      const cdktf = cdktfOwn(() => outcome(() => Tokenization.resolve(cases[name], { scope: stack, preparing, resolver: new DefaultTokenResolver(new StringConcat()) })));
      expect(fast).toEqual(cdktf);
    }
  });

  test("a Lazy in a function's arguments is produced once, not once per nesting level (its value must not depend on how often it runs)", () => {
    const f = Fn.jsonencode({ outer: { inner: [lazy] } });
    produced = 0;
    resolveFast(f, { scope: stack });
    expect(produced).toBe(1);
    produced = 0;
    cdktfOwn(() => resolveFast(f, { scope: stack }));
    expect(produced).toBeGreaterThan(1);
  });

  test("a cyclic value fails as in cdktf (its circular-reference error), not with a stack overflow", () => {
    expect(() => resolveFast(cyclic, { scope: stack })).toThrow(/circular/i);
  });
});
