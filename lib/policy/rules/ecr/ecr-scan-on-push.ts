import { block, isTrue } from "../../attributes";
import { defineRule } from "../../types";

/** ZNECR2: images are scanned on push. */
export const rule = defineRule({
  id: "ZNECR2",
  service: "ecr",
  title: "ECR scans images on push",
  description: "Scanning on push reports known CVEs in images before they run.",
  severity: "low",
  resourceTypes: ["aws_ecr_repository"],
  scanners: { checkov: ["CKV_AWS_163"] },
  fix: "Set imageScanningConfiguration: { scanOnPush: true }.",
  check: ({ attributes: a }) => (isTrue(block(a, "image_scanning_configuration")?.scan_on_push) ? undefined : "scan_on_push is not true"),
});
