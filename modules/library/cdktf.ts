// Every cdktf and prebuilt-provider import of the project goes through this file: cdktf is
// sunset and its maintained fork (CDK Terrain, `cdktn`) is a rename away, here.
export { Construct } from "constructs";
export {
  App,
  Aspects,
  AssetType,
  type ITerraformDependable,
  DataResource as TerraformData,
  TerraformAsset,
  TerraformDataSource,
  TerraformHclModule,
  TerraformIterator,
  TerraformLocal,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Testing,
  Token,
} from "cdktf";
export { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
export { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
export { AwsProvider } from "@cdktf/provider-aws/lib/provider";
export { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
export { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
export { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
export { DataAwsLambdaFunctions } from "@cdktf/provider-aws/lib/data-aws-lambda-functions";
export { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
export { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
export { IamRole } from "@cdktf/provider-aws/lib/iam-role";
export { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
export { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
export { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
