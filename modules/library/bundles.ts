// Where the constructs find the two handler bundles by default: `bundles/` beside this file.
// The published package carries them there (`npm run build` writes lib/modules/library/bundles);
// in this checkout `npm run generate` and the test setup write modules/library/bundles.
import { join } from "node:path";

export const BUNDLE_DIR = join(__dirname, "bundles");
