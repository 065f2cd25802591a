// An example configuration under generated/examples/<name>: a root module with its own
// provider blocks (a default region and the us-east-1 alias Lambda@Edge needs) that calls
// the connector from ../../.
import { AwsProvider, Construct, TerraformHclModule } from "../cdktf";
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

  /** The providers every example declares, and the connector module called with us-east-1. */
  protected connector(inputs: Record<string, unknown>): TerraformHclModule {
    const region = this.variable("region", {
      type: "string",
      description: "Region of your other resources. The connector's functions are always created in us-east-1.",
      default: "eu-west-1",
    });
    new AwsProvider(this, "aws", { region });
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
