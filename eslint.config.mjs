// ESLint flat config: typescript-eslint's recommended rules over every TypeScript source.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "generated/", "lib/", ".build/", "cdktf.out/", "coverage/", "modules/library/bundles/", "release/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      // Unused parameters are named with a leading underscore where an interface requires them.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Node built-ins may be required lazily: the handlers load node:http2 and node:dns only when
      // needed, to keep the cold start short.
      "@typescript-eslint/no-require-imports": ["error", { allow: ["^node:"] }],
    },
  },
  {
    // CommonJS files: the jest config and the stand-in bundles the edge tests load.
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        exports: "writable",
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        __dirname: "readonly",
        setTimeout: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
