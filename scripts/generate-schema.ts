/**
 * Writes config/environment.schema.json (JSON Schema of environment files, for editor completion)
 * from the zod schema, so the two never drift. `npm run schema`; a test fails if it is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { EnvironmentFileSchema } from "../lib/config/schema";

/** The JSON Schema text for environment files. */
export function environmentJsonSchema(): string {
  const schema = z.toJSONSchema(EnvironmentFileSchema, { io: "input", target: "draft-7" });
  return `${JSON.stringify({ ...schema, title: "ZenML Pro Hybrid on ECS: environment file" }, null, 2)}\n`;
}

if (require.main === module) {
  const out = path.join(__dirname, "..", "..", "config", "environment.schema.json");
  fs.writeFileSync(out, environmentJsonSchema());
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
