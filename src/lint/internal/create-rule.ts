/**
 * The rule factory shared by the kit's lint rules.
 *
 * @module
 */
import { ESLintUtils } from "@typescript-eslint/utils";

/** The typed-rule options every kit rule declares (type information is required). */
export interface KitRuleDocs {
  /** One sentence: what the rule catches. */
  readonly description: string;
  /** The misuse catalogue row the rule enforces, such as `"M16"`. */
  readonly misuse: string;
  /** Always `true`: the rules read types through the TypeScript checker. */
  readonly requiresTypeChecking: true;
}

/** Creates a kit rule; its documentation link points at the rule's section of `docs/lint.md`. */
export const createRule = ESLintUtils.RuleCreator<KitRuleDocs>((name) => `docs/lint.md#ownkit${name}`);
