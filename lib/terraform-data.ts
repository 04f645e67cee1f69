/**
 * Terraform's built-in `terraform_data` resource without a synth-time binary check.
 *
 * cdktf's own class (`DataResource`, node_modules/cdktf/lib/terraform-data-resource.js) adds
 * `ValidateTerraformVersion(">=1.4")` to its node. That validation (validations/validate-binary-version.js)
 * runs `terraform version` with `execSync` for every such resource at every synth: a child process per
 * stack (1.7 s of a 50-environment synth), and a crash when the synthesizing machine has no Terraform —
 * which is not the machine that applies the stack anyway. Constructs offer no way to remove a validation
 * once added, so this class is the same resource binding (same JSON and HCL attributes as cdktf 0.21's
 * `DataResource`) without it. Every other cdktf validation (app and stack) still runs.
 *
 * The stacks state no `terraform.required_version` in its place: checkov 3.3.30's `terraform_json` parser
 * (`checkov/terraform_json/parser.py`, `handle_block_type` → `hclify`: "this method receives only dicts")
 * fails on any plain value in the `terraform` block, and then scans nothing of the file. The Terraform the
 * stacks need (≥ 1.11, for the write-only arguments of modules/write-only-secret.ts) is a documented
 * prerequisite; an older one refuses `secret_string_wo` at plan.
 */
import { Construct } from "constructs";
import { anyToHclTerraform, anyToTerraform, hashMapper, hashMapperHcl, TerraformMetaArguments, TerraformResource } from "cdktf";

/** Props of {@link TerraformData}: the meta-arguments of any resource plus `terraform_data`'s own two. */
export interface TerraformDataConfig extends TerraformMetaArguments {
  /**
   * Stored in state and reflected in `output` after apply (`${self.input...}` in a provisioner).
   * @default none
   */
  readonly input?: Readonly<Record<string, unknown>>;
  /**
   * A change of any value replaces the resource (and so runs its create-time provisioners again).
   * @default none
   */
  readonly triggersReplace?: Readonly<Record<string, unknown>>;
}

/** A `terraform_data` resource (https://developer.hashicorp.com/terraform/language/resources/terraform-data). */
export class TerraformData extends TerraformResource {
  public static readonly tfResourceType = "terraform_data";
  private readonly input?: Readonly<Record<string, unknown>>;
  private readonly triggersReplace?: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, config: TerraformDataConfig = {}) {
    const { input, triggersReplace, ...meta } = config;
    super(scope, id, {
      ...meta,
      terraformResourceType: TerraformData.tfResourceType,
      terraformGeneratorMetadata: { providerName: "terraform" },
    });
    this.input = input;
    this.triggersReplace = triggersReplace;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {
      input: hashMapper(anyToTerraform)(this.input),
      triggers_replace: hashMapper(anyToTerraform)(this.triggersReplace),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return {
      input: hashMapperHcl(anyToHclTerraform)(this.input),
      triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggersReplace),
    };
  }
}
