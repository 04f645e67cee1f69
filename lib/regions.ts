/**
 * AWS commercial regions this project supports, with how each region's Elastic Load Balancing
 * service delivers access logs to S3.
 *
 * Regions opened before August 2022 deliver logs from a regional ELB AWS account; newer regions use
 * the `logdelivery.elasticloadbalancing.amazonaws.com` service principal. Account IDs are from the AWS
 * documentation "Enable access logs for your Application Load Balancer" (Step 2, bucket policy),
 * checked 2026-11.
 */
export const ELB_LOG_DELIVERY_ACCOUNT: Readonly<Record<string, string | null>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-southeast-3": "589379963580",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  // Regions opened in or after August 2022: service-principal delivery.
  "ap-south-2": null,
  "ap-southeast-4": null,
  "ap-southeast-5": null,
  "ap-southeast-7": null,
  "ca-west-1": null,
  "eu-central-2": null,
  "eu-south-2": null,
  "il-central-1": null,
  "me-central-1": null,
  "mx-central-1": null,
};

/** Every region name the config schema accepts. */
export const SUPPORTED_REGIONS = Object.keys(ELB_LOG_DELIVERY_ACCOUNT) as [string, ...string[]];

/** The ZenML Pro server image registry (the guide's Step 5). */
export const ZENML_PRO_IMAGE_REPOSITORY = "715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server";

/**
 * Default disaster-recovery region for `database.backupReplicationRegion`: a region in the same
 * jurisdiction (EU stays in the EU) and far enough away not to share a regional outage. Only pairs
 * listed here have a default; elsewhere the region must be chosen in the file. RDS lists the source
 * regions a destination accepts with `aws rds describe-source-regions --region <destination>`.
 */
export const DR_REGION_PAIRS: Readonly<Record<string, string>> = {
  "eu-central-1": "eu-west-1",
  "eu-west-1": "eu-central-1",
  "us-east-1": "us-west-2",
  "us-west-2": "us-east-1",
};
