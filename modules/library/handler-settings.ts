// The handler settings as cdktf props: one camelCase prop per entry of the settings table, checked
// at synth by the handler's own validation, so a construct, a module variable and config.json
// accept the same values and say the same thing about the others.
import { type HandlerConfig, parseConfig } from "../../handlers/config";
import { SETTINGS } from "../../handlers/settings";
import type { HandlerSettingsProps } from "./handler-settings-props";

// The props interface is generated from the settings table by `npm run generate`, each member
// with its setting's description as JSDoc (a mapped type over the table would show none).
export type { HandlerSettingsProps };

export const camelCase = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** config.json for the props; throws at synth, naming the prop, when a value is not allowed. */
export function handlerConfigFromProps(props: HandlerSettingsProps): HandlerConfig {
  const given = props as unknown as Record<string, unknown>;
  const raw = Object.fromEntries(
    Object.keys(SETTINGS)
      .map((key) => [key, given[camelCase(key)]])
      .filter(([, value]) => value !== undefined),
  );
  const result = parseConfig(JSON.stringify(raw));
  if (result.ok) return result.config;
  // The handler names the config.json key first; the construct's user wrote the prop.
  const key = result.reason.split(" ")[0];
  throw new Error(`${camelCase(key)}${result.reason.slice(key.length)}`);
}
