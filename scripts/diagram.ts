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
import { CommandSpec, defaultOutdir, exitWith, parseCommand, runCli, selectStacks, usage } from "./common/cli";
import { resolveStacks } from "./common/tf-json";
import { buildDiagram } from "./diagram/model";
import { renderSvg, toDot, toMermaid } from "./diagram/render";

/** Options and usage text of `npm run diagram`. */
export const DIAGRAM_COMMAND: CommandSpec = {
  name: "diagram",
  invocation: "npm run diagram --",
  synopsis: "[options] [cdk.tf.json | stack dir | cdktf.out ...]",
  summary: `Architecture picture per stack from the synthesized JSON: <out>/<stack>.svg, .mmd (Mermaid) and .dot.
Without paths: \${CDKTF_OUTDIR:-cdktf.out}, synthesized first when missing or older than config/ or the
compiled app.`,
  positionals: { paths: "cdk.tf.json files, stack folders or cdktf output folders (default: the synthesized stacks)" },
  options: {
    out: { type: "string", value: "DIR", description: "output folder (default: <cdktf outdir>/diagrams)" },
    stack: { type: "string", value: "NAME[,NAME]", description: "only these stacks" },
    synth: { type: "boolean", description: "synthesize first even when cdktf.out is fresh" },
  },
  exit: "0 written, 1 synthesis failed, 2 bad input",
};
export const USAGE = usage(DIAGRAM_COMMAND);

/** `<x>/stacks/<s>/cdk.tf.json` → `<x>/diagrams`; any other file → `<its folder>/diagrams`. */
function outDirBeside(file: string): string {
  const abs = path.resolve(file);
  const stacksDir = path.dirname(path.dirname(abs));
  return path.basename(stacksDir) === "stacks" ? path.join(path.dirname(stacksDir), "diagrams") : path.join(path.dirname(abs), "diagrams");
}

/** Writes the three files of each stack; returns the paths written. */
export async function writeDiagrams(argv: readonly string[], log: (m: string) => void = console.log): Promise<string[]> {
  const args = parseCommand(DIAGRAM_COMMAND, argv);
  if (args.help) {
    log(USAGE);
    return [];
  }
  const { positionals } = args;
  const stacks = selectStacks(resolveStacks(positionals, { synth: args.flag("synth") }), args.string("stack"), positionals.join(", ") || defaultOutdir());
  const defaultOut = positionals.length === 0 ? path.join(defaultOutdir(), "diagrams") : outDirBeside(stacks[0].file);
  const outDir = args.string("out") ?? defaultOut;
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
  const argv = process.argv.slice(2);
  exitWith(DIAGRAM_COMMAND, runCli(DIAGRAM_COMMAND, argv, async () => (await writeDiagrams(argv), 0)));
}
