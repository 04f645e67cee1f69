/**
 * The star-import baseline of `npm run bench` (issue 21): the smallest cdktf app that loads the AWS
 * provider the way this project forbids, `import * as aws from "@cdktf/provider-aws"` (the package
 * root loads every one of its ~1,500 resource modules), and synthesizes one stack with that provider.
 * It measures what the toolchain costs on the machine at hand (node start, cdktf, provider loading, a
 * synth), so the app's own timings are reported as ratios to it, timed in the same run. Not app code:
 * it lives in bench/, outside the folders whose imports must be deep (__tests__/guide.test.ts).
 */
import * as aws from "@cdktf/provider-aws";
import { App, TerraformStack } from "cdktf";

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out" });
const stack = new TerraformStack(app, "baseline");
new aws.provider.AwsProvider(stack, "aws", { region: "eu-central-1" });
app.synth();
