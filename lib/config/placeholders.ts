/**
 * The example values shipped in config/ and examples/ (IDs, account, bucket, domain, certificate) are
 * placeholders: they validate and synthesize offline, but must never reach AWS. `npm run deploy`,
 * `npm run preflight` (unless --offline) and the deploy workflow refuse a file that still holds one,
 * naming the file and each field (docs/configuration.md, "Placeholders").
 *
 * A value is a placeholder when it contains one of {@link PLACEHOLDERS}; the list is matched against
 * every string in the file, so an ARN or image reference built from the example account is caught too.
 */
import * as fs from "fs";
import * as path from "path";

/** One kind of shipped example value. */
export interface PlaceholderPattern {
  /** What the value is, for messages. */
  readonly what: string;
  readonly pattern: RegExp;
}

/** The shipped example values. */
export const PLACEHOLDERS: readonly PlaceholderPattern[] = [
  { what: "example AWS account", pattern: /(?<!\d)123456789012(?!\d)/ },
  { what: "example ZenML Pro ID", pattern: /\b00000000-0000-0000-0000-0000000000[0-9a-f]{2}\b/i },
  { what: "example UUID", pattern: /\b([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}\b/i },
  { what: "example company mycompany", pattern: /mycompany/i },
  { what: "example organization name", pattern: /^my-organization$/ },
  { what: "example hosted zone ID", pattern: /^(Z0123456789ABCDEFGHIJ|Z0987654321ZYXWVUTSRQ)$/ },
  { what: "example VPC or subnet ID", pattern: /^(vpc-0a1b2c3d4e5f67890|subnet-0[ab]0{14}\d)$/ },
];

/** A placeholder found in a file. */
export interface PlaceholderUse {
  readonly file: string;
  /** Dotted field path, e.g. `zenml.organizationId`, `allowedAccountIds.0`. */
  readonly field: string;
  readonly value: string;
  readonly what: string;
}

/** Every placeholder in a parsed config file (`$schema` excepted), in file order. */
export function findPlaceholders(file: string, raw: unknown): PlaceholderUse[] {
  const out: PlaceholderUse[] = [];
  const visit = (v: unknown, at: string): void => {
    if (typeof v === "string") {
      const hit = PLACEHOLDERS.find((p) => p.pattern.test(v));
      if (hit) out.push({ file, field: at || "(root)", value: v, what: hit.what });
    } else if (Array.isArray(v)) v.forEach((item, i) => visit(item, at ? `${at}.${i}` : String(i)));
    else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) if (k !== "$schema") visit(item, at ? `${at}.${k}` : k);
    }
  };
  visit(raw, "");
  return out;
}

/**
 * Placeholders in the config files of `stacks` in `configDir` (every `*.json` but `*.schema.json` when
 * `stacks` is undefined); stacks without a file of their own (state-bootstrap) contribute the files
 * that feed them, i.e. all. Unreadable files are skipped: the loader reports them.
 */
export function placeholdersInConfig(configDir: string, stacks?: readonly string[]): PlaceholderUse[] {
  if (!fs.existsSync(configDir)) return [];
  const files = fs.readdirSync(configDir).filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json")).sort();
  const own = stacks?.filter((s) => files.includes(`${s}.json`));
  const chosen = !stacks || own!.length < stacks.length ? files : own!.map((s) => `${s}.json`);
  return chosen.flatMap((f) => {
    const full = path.join(configDir, f);
    try {
      return findPlaceholders(full, JSON.parse(fs.readFileSync(full, "utf8")));
    } catch {
      return [];
    }
  });
}

/** Per file: a `config/dev.json:` line, then `  zenml.organizationId: 00000000-… (what it is)` per field. */
export function describePlaceholders(uses: readonly PlaceholderUse[]): string[] {
  const byFile = new Map<string, PlaceholderUse[]>();
  for (const u of uses) byFile.set(u.file, [...(byFile.get(u.file) ?? []), u]);
  return [...byFile].flatMap(([file, list]) => [`${file}:`, ...list.map((u) => `  ${u.field}: ${u.value} (${u.what})`)]);
}
