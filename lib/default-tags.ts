/**
 * Writes each AWS provider's `default_tags` as a single JSON object instead of cdktf's one-element
 * array. Terraform's JSON syntax accepts a single nested block either way (same plan), but KICS's
 * "Resource Not Using Tags" (assets/queries/terraform/aws/resource_not_using_tags/query.rego,
 * `check_default_tags`) only sees `provider.aws[_].default_tags.tags` as an object; with the array it
 * reports every taggable resource as untagged although the provider tags them all. Only JSON output
 * changes; HCL output (`cdktf synth --hcl`) already writes a `default_tags` block.
 */
import { IConstruct } from "constructs";
import { App, Aspects, IAspect, TerraformStack, Tokenization } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { declareOverrideOnlyAspect } from "./resolve-once";

class SingleDefaultTagsBlock implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof AwsProvider)) return;
    // HCL output (npm run synth:hcl) renders the array as a block already, and an override as an argument.
    if (App.of(node).hclOutput) return;
    const tags = node.defaultTags;
    if (!Array.isArray(tags) || tags.length !== 1 || Tokenization.isResolvable(tags)) return;
    // An override merges into an array rather than replacing it (cdktf util deepMerge), so the
    // attribute is reset and written back as the override alone.
    const single = { tags: tags[0].tags };
    node.resetDefaultTags();
    node.addOverride("default_tags", single);
  }
}

/** Applies it to the AWS providers of every stack under `scope` (cdktf invokes aspects per stack, from the stack down). */
export function singleDefaultTagsBlock(scope: IConstruct): void {
  // Its one change without addOverride (resetDefaultTags) is always followed by an addOverride on the same
  // provider, which drops the provider's prepared fragment (lib/resolve-once.ts).
  const aspect = declareOverrideOnlyAspect(new SingleDefaultTagsBlock());
  for (const stack of scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c))) Aspects.of(stack).add(aspect);
}
