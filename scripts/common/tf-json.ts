/**
 * Shared helpers of the report scripts (`npm run diagram`, `npm run cost`): find and load synthesized
 * stacks (`cdktf.out/stacks/<stack>/cdk.tf.json`), synthesize them when missing or stale, and read
 * Terraform references (`${aws_x.name.attr}`) out of the JSON. Independent of lib/ (but for the
 * fingerprint of a synthesis' inputs, lib/synth-inputs.ts): the scripts work from whatever resources
 * the JSON holds.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { InputError } from "./checks";
import { recordedSynthInputs, synthInputsFingerprint } from "../../lib/synth-inputs";

/** One synthesized stack. */
export interface TfStack {
  /** Stack name (cdktf stack id). */
  readonly name: string;
  /** Path of its cdk.tf.json, or "(memory)". */
  readonly file: string;
  /** Parsed Terraform JSON. */
  readonly json: TfJson;
}

/** The parts of Terraform JSON the scripts read. */
export interface TfJson {
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, { value: any; description?: string }>;
  provider?: Record<string, any[]>;
  [key: string]: any;
}

/** A resource or data source of a stack. */
export interface TfResource {
  /** e.g. `aws_lb` */
  readonly type: string;
  /** Terraform name (cdktf unique id), e.g. `load-balancer_alb_15AADC07` */
  readonly name: string;
  /** `aws_lb.load-balancer_alb_15AADC07`, or `data.aws_subnet.x` for data sources. */
  readonly address: string;
  readonly isData: boolean;
  readonly body: Record<string, any>;
  /** cdktf construct path without the stack, e.g. `load-balancer/alb`. */
  readonly constructPath: string;
}

/** The project root: the nearest folder upwards holding package.json (works from source and from dist/). */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "cdktf.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Every resource and data source of a stack, in file order. */
export function allResources(json: TfJson): TfResource[] {
  const out: TfResource[] = [];
  for (const [isData, section] of [[false, json.resource ?? {}], [true, json.data ?? {}]] as const) {
    for (const [type, byName] of Object.entries(section)) {
      for (const [name, body] of Object.entries(byName ?? {})) {
        const meta: string = body?.["//"]?.metadata?.path ?? "";
        out.push({
          type,
          name,
          address: `${isData ? "data." : ""}${type}.${name}`,
          isData,
          body: body ?? {},
          constructPath: meta.split("/").slice(1).join("/") || name,
        });
      }
    }
  }
  return out;
}

/** The `${...}` interpolations in a string, with nested braces handled (`${{ for ... }}`). */
export function interpolations(text: string): string[] {
  const out: string[] = [];
  let i = text.indexOf("${");
  while (i >= 0) {
    let depth = 0;
    let j = i + 1;
    for (; j < text.length; j++) {
      if (text[j] === "{") depth++;
      else if (text[j] === "}" && --depth === 0) break;
    }
    out.push(text.slice(i + 2, j));
    i = text.indexOf("${", j);
  }
  return out;
}

/** One reference found in a value: the address it points at and the attribute path after it. */
export interface TfRef {
  readonly address: string;
  /** e.g. `id`, `arn`, `master_user_secret[0].secret_arn`; "" when the whole object is referenced. */
  readonly attr: string;
  /** Key path inside the body where it was found, e.g. `network_configuration.security_groups.0`. */
  readonly at: string;
}

const REF = /(?<![\w.])((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*)((?:\.[\w-]+|\[[^\]]*\])*)/g;

/**
 * References to resources of `known` (addresses) inside any string of `value` (recursively). Only
 * `${...}` interpolations are read, so descriptions that merely mention a type are not references.
 * `depends_on` lists are skipped: they order resources but do not connect them.
 */
export function referencesIn(value: unknown, known: ReadonlySet<string>, at = ""): TfRef[] {
  const out: TfRef[] = [];
  const visit = (v: unknown, where: string): void => {
    if (typeof v === "string") {
      for (const expr of interpolations(v)) {
        for (const m of expr.matchAll(REF)) {
          if (known.has(m[1])) out.push({ address: m[1], attr: m[2].replace(/^\./, ""), at: where });
        }
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, where ? `${where}.${i}` : String(i)));
    } else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        if (k === "depends_on" || k === "//") continue;
        visit(item, where ? `${where}.${k}` : k);
      }
    }
  };
  visit(value, at);
  return out;
}

/** Addresses referenced by a value (deduplicated). */
export function referencedAddresses(value: unknown, known: ReadonlySet<string>): string[] {
  return [...new Set(referencesIn(value, known).map((r) => r.address))];
}

/** Terraform's cidrsubnet() for IPv4. */
export function cidrsubnet(prefix: string, newbits: number, netnum: number): string {
  const [ip, lenText] = prefix.split("/");
  const len = Number(lenText);
  const base = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const newLen = len + newbits;
  const value = base + netnum * 2 ** (32 - newLen);
  const octets = [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256);
  return `${octets.join(".")}/${newLen}`;
}

/** A CIDR given literally or as `${cidrsubnet("10.0.0.0/16", 4, 2)}`; undefined when computed otherwise. */
export function resolveCidr(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(value)) return value;
  const m = /^\$\{cidrsubnet\("(\d+\.\d+\.\d+\.\d+\/\d+)",\s*(\d+),\s*(\d+)\)\}$/.exec(value);
  return m ? cidrsubnet(m[1], Number(m[2]), Number(m[3])) : undefined;
}

/** A literal number, or a number in a string (`"512"`); undefined for expressions. */
export function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** The AWS provider's region of a stack (first aws provider block). */
export function stackRegion(json: TfJson): string | undefined {
  const region = json.provider?.aws?.[0]?.region;
  return typeof region === "string" && !region.includes("${") ? region : undefined;
}

/** The container definitions of an ECS task definition (a JSON string in Terraform JSON). */
export function containerDefinitions(taskDefinition: Record<string, any>): any[] {
  const raw = taskDefinition.container_definitions;
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== "string") return [];
  try {
    const parsed = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/** Loads one cdk.tf.json; the stack name is its metadata stackName, else its folder name. */
export function loadStackFile(file: string): TfStack {
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as TfJson;
  const name: string = json["//"]?.metadata?.stackName ?? path.basename(path.dirname(file));
  return { name, file, json };
}

/** Stack files under a cdktf output folder (`<dir>/stacks/<stack>/cdk.tf.json`), sorted by name. */
export function stackFilesIn(outdir: string): string[] {
  const stacksDir = path.join(outdir, "stacks");
  if (!fs.existsSync(stacksDir)) return [];
  return fs
    .readdirSync(stacksDir)
    .sort()
    .map((d) => path.join(stacksDir, d, "cdk.tf.json"))
    .filter((f) => fs.existsSync(f));
}

/** The command cdktf runs to synthesize (cdktf.json's `app`): bundle main.ts once, then run it. */
export function appCommand(root: string = projectRoot()): string {
  return (JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")) as { app: string }).app;
}

/**
 * Synthesizes into `outdir` (with cdktf.json's `app`, as `cdktf synth` does) when it has no stacks, when
 * the inputs recorded by the last synthesis (lib/synth-inputs.ts: the app's sources, dependencies and
 * the environment files) differ from the current ones, or when `force` is set, so a report never
 * describes stale JSON and never synthesizes again what is current. Returns whether it synthesized.
 */
export function ensureSynthesized(
  outdir: string,
  force = false,
  log: (m: string) => void = console.error,
  /** The synthesizing command. @default cdktf.json's app */
  app: string = appCommand(),
): boolean {
  const root = projectRoot();
  const files = stackFilesIn(outdir);
  const configDir = process.env.ZENML_CONFIG_DIR ?? path.join(root, "config");
  const recorded = recordedSynthInputs(outdir);
  const reason = force
    ? "requested"
    : files.length === 0
      ? `no stacks in ${outdir}`
      : recorded === undefined
        ? "no record of what the stacks were synthesized from"
        : recorded !== synthInputsFingerprint(root, configDir)
          ? "config or app sources changed since the last synthesis"
          : "";
  if (!reason) return false;
  log(`synthesizing into ${outdir} (${reason}) ...`);
  const result = spawnSync(app, {
    cwd: root,
    shell: true,
    env: { ...process.env, CDKTF_OUTDIR: path.resolve(outdir) },
    stdio: ["ignore", 2, 2], // the app's messages go to stderr: stdout stays the report (e.g. --format json)
  });
  if (result.status !== 0) throw new Error(`synthesis failed (exit ${result.status})`);
  return true;
}

/**
 * Resolves command-line stack arguments: each may be a cdk.tf.json, a stack folder holding one, or a
 * cdktf output folder (with stacks/). Without arguments: `$CDKTF_OUTDIR` or `cdktf.out`, synthesized
 * first when missing or stale.
 */
export function resolveStacks(args: readonly string[], opts: { synth?: boolean; log?: (m: string) => void } = {}): TfStack[] {
  const files: string[] = [];
  if (args.length === 0) {
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(projectRoot(), "cdktf.out");
    ensureSynthesized(outdir, opts.synth ?? false, opts.log);
    files.push(...stackFilesIn(outdir));
    if (files.length === 0) throw new Error(`no synthesized stacks in ${outdir}`);
  }
  for (const arg of args) {
    if (!fs.existsSync(arg)) throw new InputError(`${arg}: no such file or folder`);
    if (fs.statSync(arg).isFile()) files.push(arg);
    else if (fs.existsSync(path.join(arg, "cdk.tf.json"))) files.push(path.join(arg, "cdk.tf.json"));
    else {
      const inDir = stackFilesIn(arg);
      if (inDir.length === 0) throw new InputError(`${arg}: neither a cdk.tf.json, a stack folder nor a cdktf output folder`);
      files.push(...inDir);
    }
  }
  return files.map(loadStackFile);
}

