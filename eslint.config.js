// `npm run lint`: the kit's own lint rules over the examples, loaded from the built plugin (dist/).
import tsParser from "@typescript-eslint/parser";
import ownkit from "./dist/lint/index.js";

export default [
  { ...ownkit.configs.recommended, files: ["examples/**/*.ts"] },
  {
    files: ["examples/**/*.ts"],
    languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
];
