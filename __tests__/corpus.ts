/**
 * The shared fixture corpus (policy-corpus/corpus.json): small Terraform JSON documents, each with
 * the rule IDs it must trigger (`deny`) and must not trigger (`no_deny`). The TypeScript pack reads
 * it here; the Rego pack reads it as data.zn_corpus (`opa test policy/ policy-corpus/`).
 */
import * as fs from "fs";
import * as path from "path";

export const CORPUS_FILE = path.join(__dirname, "..", "policy-corpus", "corpus.json");

export interface CorpusCase {
  readonly name: string;
  readonly description: string;
  readonly document: Record<string, unknown>;
  readonly deny: readonly string[];
  readonly no_deny: readonly string[];
  /** The packs that answer for the case. @default both; ["typescript"] for a rule without a Rego twin */
  readonly packs?: readonly ("typescript" | "rego")[];
}

/** Whether the Rego pack answers for a case (policy/policy_test.rego skips the others the same way). */
export const checkedByRego = (c: CorpusCase) => !c.packs || c.packs.includes("rego");

/** The resources and data sources of a case's document, as the policy engine sees them. */
export function resourcesOf(document: Record<string, any>): { type: string; mode: "managed" | "data"; name: string; address: string; attributes: Record<string, unknown> }[] {
  return (["resource", "data"] as const).flatMap((top) =>
    Object.entries((document[top] ?? {}) as Record<string, Record<string, Record<string, unknown>>>).flatMap(([type, byName]) =>
      Object.entries(byName).map(([name, attributes]) => ({
        type,
        mode: top === "data" ? ("data" as const) : ("managed" as const),
        name,
        address: `${top === "data" ? "data." : ""}${type}.${name}`,
        attributes,
      })),
    ),
  );
}

export interface Corpus {
  readonly description: string;
  readonly cases: readonly CorpusCase[];
}

/** The corpus as the Rego tests see it (data.zn_corpus). */
export function loadCorpus(): Corpus {
  return JSON.parse(fs.readFileSync(CORPUS_FILE, "utf8")).zn_corpus as Corpus;
}

/** What a case expects that `found` (the rule IDs a pack denied) contradicts; empty when it agrees. */
export function disagreements(c: CorpusCase, found: readonly string[]): string[] {
  return [
    ...c.deny.filter((id) => !found.includes(id)).map((id) => `${c.name}: ${id} not denied`),
    ...c.no_deny.filter((id) => found.includes(id)).map((id) => `${c.name}: ${id} denied`),
  ];
}
