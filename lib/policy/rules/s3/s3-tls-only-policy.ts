import { defineRule } from "../../types";
import { policyStatements } from "../../policy-documents";
import { companions } from "./companions";

/** ZNBKT5: the bucket policy denies requests without TLS. */
export const rule = defineRule({
  id: "ZNBKT5",
  service: "s3",
  title: "S3 bucket policy denies non-TLS requests",
  description: "Without a deny on aws:SecureTransport=false, clients can read and write objects over plain HTTP.",
  severity: "medium",
  resourceTypes: ["aws_s3_bucket"],
  scanners: {},
  references: ["AWS Security Hub S3.5"],
  fix: 'Add a bucket policy statement: Deny s3:* on the bucket and its objects to "*" when aws:SecureTransport is "false" (modules/secure-bucket.ts does).',
  check: (bucket, ctx) => {
    const policies = companions(bucket, "aws_s3_bucket_policy", ctx);
    if (policies.length === 0) return "no bucket policy";
    const statements = policies.map((p) => policyStatements(p.attributes.policy, ctx));
    if (statements.some((s) => s === undefined)) return; // computed at apply time
    const denies = statements.flat().some(
      (s) =>
        s!.effect === "Deny" &&
        s!.conditions.some((c) => c.test === "Bool" && c.variable === "aws:SecureTransport" && c.values.includes("false")),
    );
    if (!denies) return "the bucket policy does not deny aws:SecureTransport=false";
    return undefined;
  },
});
