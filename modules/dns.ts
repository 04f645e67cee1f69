import { Construct } from "constructs";
import { TerraformIterator } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";

/** Props of {@link TlsCertificate}. */
export interface TlsCertificateProps {
  /**
   * Host name the certificate is for.
   * @default none (required)
   */
  readonly domainName: string;
  /**
   * Route53 zone for DNS validation. Required unless `existingCertificateArn` is given.
   * @default none
   */
  readonly hostedZoneId?: string;
  /**
   * Use this ACM certificate instead of requesting one.
   * @default none (a DNS-validated certificate is requested)
   */
  readonly existingCertificateArn?: string;
}

/**
 * TLS for the ALB: an existing ACM certificate (external DNS), or a new ACM certificate validated
 * through records in the Route53 zone. `certificateArn` is only usable once validation completed.
 */
export class TlsCertificate extends Construct {
  /** ARN of the (validated) certificate. */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: TlsCertificateProps) {
    super(scope, id);
    if (props.existingCertificateArn) {
      this.certificateArn = props.existingCertificateArn;
      return;
    }
    if (!props.hostedZoneId) {
      throw new Error(`TlsCertificate ${this.node.path}: hostedZoneId is required when no existingCertificateArn is given`);
    }
    const cert = new AcmCertificate(this, "certificate", {
      domainName: props.domainName,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      lifecycle: { createBeforeDestroy: true },
    });
    const options = TerraformIterator.fromComplexList(cert.domainValidationOptions, "domain_name");
    const records = new Route53Record(this, "validation", {
      forEach: options,
      zoneId: props.hostedZoneId,
      name: options.getString("resource_record_name"),
      type: options.getString("resource_record_type"),
      records: [options.getString("resource_record_value")],
      ttl: 60,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "validated", {
      certificateArn: cert.arn,
      validationRecordFqdns: TerraformIterator.fromResources(records).pluckProperty("fqdn") as unknown as string[],
    });
    this.certificateArn = validation.certificateArn;
  }
}

/** Props of {@link AliasRecord}. */
export interface AliasRecordProps {
  /**
   * Route53 zone of the record.
   * @default none (required)
   */
  readonly hostedZoneId: string;
  /**
   * Record name (the workspace host name).
   * @default none (required)
   */
  readonly domainName: string;
  /**
   * DNS name of the ALB.
   * @default none (required)
   */
  readonly targetDnsName: string;
  /**
   * Canonical hosted zone of the ALB.
   * @default none (required)
   */
  readonly targetZoneId: string;
}

/** The guide's Step 8 in Route53: an alias A record for the workspace host name pointing at the ALB. */
export class AliasRecord extends Construct {
  /** The record. */
  public readonly record: Route53Record;

  constructor(scope: Construct, id: string, props: AliasRecordProps) {
    super(scope, id);
    this.record = new Route53Record(this, "record", {
      zoneId: props.hostedZoneId,
      name: props.domainName,
      type: "A",
      alias: { name: props.targetDnsName, zoneId: props.targetZoneId, evaluateTargetHealth: true },
    });
  }
}
