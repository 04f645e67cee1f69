/**
 * The policy pack checks the fragments cdktf's prepareStack resolved (lib/policy/aspect.ts
 * and lib/resolve-once.ts) instead of resolving every stack again: they must be exactly what the synth
 * writes, for every stack of the shipped config and of the examples.
 */
import * as fs from "fs";
import * as path from "path";
import { Testing, TerraformStack } from "cdktf";
import { buildApp } from "../lib/app";
import { loadEnvironments } from "../lib/config/load";
import { checkConstructTree } from "../lib/policy";
import { configResources } from "../lib/policy/load";
import { PolicyResource } from "../lib/policy/types";
import { CONFIG_DIR, ROOT } from "./helpers";

/** The stack with cdktf's own toTerraform, which resolves every element afresh. */
function withCdktfToTerraform(stack: TerraformStack): TerraformStack {
  delete (stack as Partial<TerraformStack>).toTerraform;
  return stack;
}

const DIRS = [CONFIG_DIR, ...fs.readdirSync(path.join(ROOT, "examples")).map((e) => path.join(ROOT, "examples", e, "config"))];

test.each(DIRS.map((d) => [path.relative(ROOT, d), d]))("%s: the resources the pack checked are those the synth wrote", (_name, dir) => {
  const app = buildApp(Testing.app(), loadEnvironments(dir), { policyLog: () => undefined });
  const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  stacks.forEach((s) => s.prepareStack());
  // What the pack sees from the prepared fragments (taken before the synth, which would consume them).
  const checked = checkConstructTree(app).inputs;
  expect(checked.map((i) => i.source).sort()).toEqual(stacks.map((s) => s.node.id).sort());
  for (const stack of stacks) {
    // By address (the JSON orders blocks by type and name). Written = cdktf's own toTerraform (the stack's
    // own one reuses the prepared fragments, lib/resolve-once.ts), without the "//" metadata (construct paths).
    const byAddress = (rs: readonly PolicyResource[]) => rs.map((r) => ({ address: r.address, attributes: r.attributes })).sort((a, b) => (a.address < b.address ? -1 : 1));
    // The pack checks resources and data sources; a cross-stack remote state (a TerraformRemoteState, not a
    // data source construct) was never among them.
    const written = byAddress(configResources(JSON.parse(Testing.synth(withCdktfToTerraform(stack)))).filter((r) => r.type !== "terraform_remote_state"));
    const seen = byAddress(checked.find((i) => i.source === stack.node.id)!.resources);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(written);
  }
});
