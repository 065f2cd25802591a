// An example configuration under generated/examples/<name>: a root module with its own
// provider blocks (the us-east-1 alias Lambda@Edge needs, and a default region only where an
// example's own resources use it) that calls the connector from ../../.
import { AwsProvider, Construct, TerraformHclModule } from "../../library/cdktf";
import { ModuleStack } from "../module-stack";
import { AWS_PROVIDER, ARCHIVE_PROVIDER, REQUIRED_TERRAFORM } from "../versions";

export abstract class ExampleStack extends ModuleStack {
  constructor(scope: Construct, name: string, title: string) {
    super(scope, `example-${name}`, {
      path: `examples/${name}`,
      title,
      requiredVersion: REQUIRED_TERRAFORM,
      providers: { aws: AWS_PROVIDER, archive: ARCHIVE_PROVIDER },
    });
  }

  /** The default provider, for an example's own resources (declared only where they use it). */
  protected defaultProvider(): void {
    const region = this.variable("region", {
      type: "string",
      description: "Region of your other resources. The connector's functions are always created in us-east-1.",
      default: "eu-west-1",
    });
    new AwsProvider(this, "aws", { region });
  }

  /** The us-east-1 provider and the connector module called with it. */
  protected connector(inputs: Record<string, unknown>): TerraformHclModule {
    const usEast1 = new AwsProvider(this, "aws_us_east_1", { alias: "us_east_1", region: "us-east-1" });
    const module = new TerraformHclModule(this, "wallarm_connector", {
      source: "../../",
      skipAssetCreationFromLocalModules: true,
      providers: [usEast1],
      variables: inputs,
    });
    module.overrideLogicalId("wallarm_connector");
    return module;
  }
}
