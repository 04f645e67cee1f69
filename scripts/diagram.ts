#!/usr/bin/env node
/**
 * `npm run diagram [-- [--out <dir>] [--synth] [stack paths...]]`: one architecture picture per
 * synthesized stack, drawn from the resources and references in its cdk.tf.json.
 *
 * Writes `<out>/<stack>.svg` (Graphviz layout via @viz-js/viz), `<out>/<stack>.mmd` (Mermaid flowchart)
 * and `<out>/<stack>.dot`. Default out: `<cdktf outdir>/diagrams`. Stack paths may be cdk.tf.json files,
 * stack folders or cdktf output folders; without any, `$CDKTF_OUTDIR` (default cdktf.out) is used and
 * synthesized first when missing or older than config/ or the compiled app (`--synth` forces it).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, projectRoot, resolveStacks } from "./common/tf-json";
import { buildDiagram } from "./diagram/model";
import { renderSvg, toDot, toMermaid } from "./diagram/render";

const USAGE = `usage: npm run diagram -- [--out <dir>] [--synth] [--stack <name>] [cdk.tf.json | stack dir | cdktf.out ...]`;

/** `<x>/stacks/<s>/cdk.tf.json` → `<x>/diagrams`; any other file → `<its folder>/diagrams`. */
function outDirBeside(file: string): string {
  const abs = path.resolve(file);
  const stacksDir = path.dirname(path.dirname(abs));
  return path.basename(stacksDir) === "stacks" ? path.join(path.dirname(stacksDir), "diagrams") : path.join(path.dirname(abs), "diagrams");
}

/** Writes the three files of each stack; returns the paths written. */
export async function writeDiagrams(argv: readonly string[], log: (m: string) => void = console.log): Promise<string[]> {
  const { flags, positionals } = parseArgs(argv, ["out", "stack"]);
  if (flags.help) {
    log(USAGE);
    return [];
  }
  let stacks = resolveStacks(positionals, { synth: flags.synth === true });
  if (typeof flags.stack === "string") {
    const wanted = flags.stack.split(",");
    stacks = stacks.filter((s) => wanted.includes(s.name));
    if (stacks.length === 0) throw new Error(`no stack named ${flags.stack}`);
  }
  const defaultOut = positionals.length === 0 ? path.join(process.env.CDKTF_OUTDIR ?? path.join(projectRoot(), "cdktf.out"), "diagrams") : outDirBeside(stacks[0].file);
  const outDir = typeof flags.out === "string" ? flags.out : defaultOut;
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const stack of stacks) {
    const diagram = buildDiagram(stack);
    const dot = toDot(diagram);
    const files: [string, string][] = [
      [`${stack.name}.dot`, dot],
      [`${stack.name}.mmd`, toMermaid(diagram)],
      [`${stack.name}.svg`, await renderSvg(dot)],
    ];
    for (const [name, text] of files) {
      fs.writeFileSync(path.join(outDir, name), text);
      written.push(path.join(outDir, name));
    }
    const sg = diagram.edges.filter((e) => e.kind === "sg").length;
    log(
      `${stack.name}: ${diagram.resourceCount} resources → ${diagram.nodes.length} boxes, ${sg} security-group edges; ` +
        `${path.join(outDir, stack.name)}.{svg,mmd,dot}`,
    );
  }
  return written;
}

if (require.main === module) {
  writeDiagrams(process.argv.slice(2)).catch((e: Error) => {
    console.error(`diagram: ${e.message}`);
    process.exit(1);
  });
}
