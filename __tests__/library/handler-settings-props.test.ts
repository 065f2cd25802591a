// The handler settings' cdktf props carry each setting's description from the settings table, on
// hover in an editor and in the published .d.ts: the interface is generated from the table
// (modules/library/handler-settings-props.ts), so it must be what the generator writes now, type
// the props as the table does, and keep its JSDoc through tsc's declaration emit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import type { HandlerConfig } from "../../handlers/config";
import { SETTINGS, type SettingName } from "../../handlers/settings";
import { HANDLER_SETTINGS_PROPS_FILE, handlerSettingsPropsSource } from "../../modules/generator/handler-settings-props";
import { camelCase, type HandlerSettingsProps } from "../../modules/library/handler-settings";

const ROOT = join(__dirname, "..", "..");

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type Spec<K extends SettingName> = (typeof SETTINGS)[K];
type RequiredName = { [K in SettingName]: Spec<K> extends { default: unknown } ? never : K }[SettingName];
/** The props as the table alone defines them: settings with a default optional, the others required. */
type PropsFromTable = { readonly [K in RequiredName as CamelCase<K>]: HandlerConfig[K] } & {
  readonly [K in Exclude<SettingName, RequiredName> as CamelCase<K>]?: HandlerConfig[K];
};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe("modules/library/handler-settings-props.ts", () => {
  it("is what `npm run generate` writes now (not stale)", () => {
    expect(readFileSync(HANDLER_SETTINGS_PROPS_FILE, "utf8")).toBe(handlerSettingsPropsSource());
  });

  it("types each prop as the settings table does (a compile error otherwise)", () => {
    const same: Same<HandlerSettingsProps, PropsFromTable> = true;
    const props: HandlerSettingsProps = { wallarmNodeUrl: "https://node.example.com" };
    expect(same).toBe(true);
    expect(props).toBeDefined();
  });
});

/** The build's compiler options (tsconfig.build.json), emitting declarations only, in memory. */
function buildProgram(): { program: ts.Program; declarations: Map<string, string> } {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.build.json"), { emitDeclarationOnly: true }, host);
  if (!config) throw new Error("tsconfig.build.json did not parse");
  const program = ts.createProgram(config.fileNames, config.options);
  const declarations = new Map<string, string>();
  program.emit(undefined, (file, text) => declarations.set(file, text), undefined, true);
  return { program, declarations };
}

describe("the cdktf props on hover and in the build's .d.ts", () => {
  const { program, declarations } = buildProgram();
  const checker = program.getTypeChecker();

  /** What an editor shows on hover over `prop` of the exported interface `name` of a library file. */
  function hover(file: string, name: string, prop: string): { text: string; defaultValue: string | undefined } {
    const source = program.getSourceFile(join(ROOT, "modules", "library", file));
    if (!source) throw new Error(`${file} is not in the build`);
    const symbol = checker.getExportsOfModule(checker.getSymbolAtLocation(source) as ts.Symbol).find((s) => s.name === name);
    const property = checker.getDeclaredTypeOfSymbol(symbol as ts.Symbol).getProperty(prop);
    if (!property) throw new Error(`${name} has no ${prop}`);
    const tag = property.getJsDocTags(checker).find((t) => t.name === "defaultValue");
    return {
      text: ts.displayPartsToString(property.getDocumentationComment(checker)),
      defaultValue: tag && ts.displayPartsToString(tag.text),
    };
  }

  it.each(Object.keys(SETTINGS) as SettingName[])("WallarmConnectorProps.%s shows the table's description", (name) => {
    const shown = hover("wallarm-connector.ts", "WallarmConnectorProps", camelCase(name));
    expect(shown.text.startsWith(SETTINGS[name].description)).toBe(true);
    const spec = SETTINGS[name];
    expect(shown.defaultValue).toBe("default" in spec ? `\`${JSON.stringify(spec.default)}\`` : undefined);
  });

  it("WallarmConnectorStackProps shows them too", () => {
    expect(hover("connector-stack.ts", "WallarmConnectorStackProps", "failOpen").text).toContain(SETTINGS.fail_open.description);
  });

  it("keeps the JSDoc in the emitted declarations (nodeTimeoutMs, with limits and default)", () => {
    const emitted = [...declarations].find(([file]) => file.endsWith("modules/library/handler-settings-props.d.ts"));
    expect(emitted).toBeDefined();
    const text = emitted?.[1] ?? "";
    const doc = text.match(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly nodeTimeoutMs\?:/)?.[1] ?? "";
    expect(doc).toContain(SETTINGS.node_timeout_ms.description);
    expect(doc).toContain("Must be a whole number from 50 to 30000.");
    expect(doc).toContain("@defaultValue `1000`");
    for (const name of Object.keys(SETTINGS)) expect(text).toMatch(new RegExp(`\\*/\\s*readonly ${camelCase(name)}\\??:`));
    const connector = [...declarations].find(([file]) => file.endsWith("modules/library/wallarm-connector.d.ts"))?.[1];
    expect(connector).toMatch(/interface WallarmConnectorProps extends HandlerSettingsProps/);
  });
});
