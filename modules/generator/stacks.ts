// Every module and example that generated/ holds, in README order.
import type { Construct } from "../library/cdktf";
import { DistributionAssociationModule } from "./distribution-association/module";
import { AsyncViewerExample } from "./examples/async-viewer";
import { ExistingDistributionExample } from "./examples/existing-distribution";
import { NewDistributionExample } from "./examples/new-distribution";
import { IamTrustModule } from "./iam-trust/module";
import { LambdaEdgeModule } from "./lambda-edge/module";
import type { ModuleStack } from "./module-stack";
import { RootModule } from "./root/module";

export function moduleStacks(app: Construct): ModuleStack[] {
  return [
    new RootModule(app, "root"),
    new LambdaEdgeModule(app, "lambda-edge"),
    new IamTrustModule(app, "iam-trust"),
    new DistributionAssociationModule(app, "distribution-association"),
    new NewDistributionExample(app),
    new ExistingDistributionExample(app),
    new AsyncViewerExample(app),
  ];
}
