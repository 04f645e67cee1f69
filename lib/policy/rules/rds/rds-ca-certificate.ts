import { isUnknown, show } from "../../attributes";
import { defineRule } from "../../types";

/** Current RDS certificate authorities (valid into the 2060s/2120s). */
export const CURRENT_RDS_CAS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"];

/** ZNRDS13: the server certificate comes from a current RDS CA, pinned in code. */
export const rule = defineRule({
  id: "ZNRDS13",
  service: "rds",
  title: "RDS server certificate from a current CA, set explicitly",
  description:
    "Clients that verify the server certificate (ZenML does, with verify-ca) break when the CA expires or is rotated behind their back; pinning a current CA makes rotation a reviewed change.",
  severity: "medium",
  resourceTypes: ["aws_db_instance"],
  scanners: { checkov: ["CKV_AWS_211"] },
  fix: `Set caCertIdentifier to one of ${CURRENT_RDS_CAS.join(", ")}.`,
  check: ({ attributes: a }) => {
    if (isUnknown(a.ca_cert_identifier)) return;
    if (!CURRENT_RDS_CAS.includes(String(a.ca_cert_identifier))) return `ca_cert_identifier is ${show(a.ca_cert_identifier)}`;
    return undefined;
  },
});
