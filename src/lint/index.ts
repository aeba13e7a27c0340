/**
 * The kit's lint layer: a typed ESLint plugin (`ownkit/eslint-plugin`) for the misuses that need
 * flow analysis. Import it in an ESLint flat config with the TypeScript parser and type information:
 *
 * ```js
 * import tsParser from "@typescript-eslint/parser";
 * import ownkit from "ownkit/eslint-plugin";
 * export default [
 *   ownkit.configs.recommended,
 *   { files: ["**\/*.ts"], languageOptions: { parser: tsParser, parserOptions: { projectService: true } } },
 * ];
 * ```
 *
 * See the "Lint rules" guide for what each rule catches and its limits.
 *
 * @module
 */
import { bindDisposables } from "./bind-disposables.js";
import { packageVersion } from "./internal/kit-types.js";
import { noExclusiveWhileBorrowed } from "./no-exclusive-while-borrowed.js";
import { noManualKunmapOrder } from "./no-manual-kunmap-order.js";
import { noViewEscape } from "./no-view-escape.js";
import { noUseAfterMove } from "./no-use-after-move.js";

/** The names of the kit's rules, without the `ownkit/` prefix. */
export type OwnkitRuleName =
  | "bind-disposables"
  | "no-exclusive-while-borrowed"
  | "no-manual-kunmap-order"
  | "no-use-after-move"
  | "no-view-escape";

/**
 * A rule as ESLint loads it: the shape shared by ESLint's own rule type and the typescript-eslint
 * rule modules, so the plugin fits an ESLint flat config whichever types check it.
 */
export interface OwnkitRule {
  /** The rule's kind, documentation, messages and whether it offers suggestions. */
  readonly meta: {
    /** `"problem"`: every kit rule reports code that fails at run time. */
    readonly type: "problem" | "suggestion" | "layout";
    /** The one-line description and the link to the rule's guide section. */
    readonly docs?: {
      /** One sentence: what the rule catches. */
      readonly description?: string;
      /** The rule's section of the "Lint rules" guide. */
      readonly url?: string;
    };
    /** The report texts by message id. */
    readonly messages: Readonly<Record<string, string>>;
    /** Whether the rule offers editor suggestions. */
    readonly hasSuggestions?: boolean;
  };
  /** Builds the rule's AST listeners for one file (called by ESLint). */
  // `any`: ESLint's listener type takes `any[]`, typescript-eslint's takes its own node types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  create(context: never): {
    /** The listener ESLint calls for each node the selector matches. */
    [selector: string]: ((...args: any[]) => void) | undefined;
  };
}

/** An ESLint flat-config object as the plugin's configs define it. */
export interface OwnkitConfig {
  /** The files the config applies to: TypeScript sources (the rules need type information). */
  readonly files: string[];
  /** The plugin under its namespace, `ownkit`. */
  readonly plugins: {
    /** The plugin object itself. */
    readonly ownkit: OwnkitPlugin;
  };
  /** Each rule as `"error"`. */
  readonly rules: Record<`ownkit/${OwnkitRuleName}`, "error">;
}

/** The plugin object ESLint loads: its name and version, its rules, and the `recommended` config. */
export interface OwnkitPlugin {
  /** The plugin's name (`"ownkit"`) and the package version. */
  readonly meta: {
    /** Always `"ownkit"`. */
    readonly name: "ownkit";
    /** The kit's package version. */
    readonly version: string;
  };
  /** The rules by name: M16, M17, M18, M36, M40 and M41 of the misuse catalogue. */
  readonly rules: Record<OwnkitRuleName, OwnkitRule>;
  /** `recommended`: every rule as an error on `.ts`, `.tsx`, `.mts` and `.cts` files. */
  readonly configs: {
    /** Every rule as an error on TypeScript files. */
    readonly recommended: OwnkitConfig;
  };
}

/** The rules by name (see {@link OwnkitPlugin.rules}). */
// SAFETY: By typescript-eslint's RuleModule type (`create` returns a RuleListener keyed by node
// type) a rule module is an ESLint rule but for its listener type, and by ESLint's rule contract
// (Rule.RuleModule) ESLint calls each listener with the node its selector names.
const rules = {
  "bind-disposables": bindDisposables,
  "no-exclusive-while-borrowed": noExclusiveWhileBorrowed,
  "no-manual-kunmap-order": noManualKunmapOrder,
  "no-view-escape": noViewEscape,
  "no-use-after-move": noUseAfterMove,
} as unknown as OwnkitPlugin["rules"];

const recommended: { files: string[]; plugins: { ownkit?: OwnkitPlugin }; rules: OwnkitConfig["rules"] } = {
  files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"],
  plugins: {},
  rules: {
    "ownkit/bind-disposables": "error",
    "ownkit/no-exclusive-while-borrowed": "error",
    "ownkit/no-manual-kunmap-order": "error",
    "ownkit/no-view-escape": "error",
    "ownkit/no-use-after-move": "error",
  },
};

/**
 * The kit's ESLint plugin: `ownkit/bind-disposables` (M16), `ownkit/no-exclusive-while-borrowed`
 * (M17), `ownkit/no-manual-kunmap-order` (M18), `ownkit/no-view-escape` (M36) and
 * `ownkit/no-use-after-move` (M40, M41), and the `recommended` flat config.
 */
export const plugin: OwnkitPlugin = {
  meta: { name: "ownkit", version: packageVersion },
  rules,
  configs: { recommended: recommended as OwnkitConfig },
};
// INVARIANT: the recommended config names the plugin object itself, as flat config requires.
recommended.plugins.ownkit = plugin;

export default plugin;
