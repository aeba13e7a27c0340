/**
 * Where an `async` function first suspends: the end of its first `await` (or `for await`), not
 * counting the functions nested in it.
 *
 * @module
 */
import type { TSESTree } from "@typescript-eslint/utils";
import { isFunction } from "./escape-vocabulary.js";

/** The source offset where `fn` first awaits (the end of that `await` expression), or `Infinity`. */
export function firstAwaitEnd(fn: TSESTree.FunctionLike): number {
  let at = Infinity;
  const visit = (node: TSESTree.Node): void => {
    if (node.range[0] >= at) return;
    if (node.type === "AwaitExpression") at = Math.min(at, node.range[1]);
    // `for await` suspends before each iteration, after evaluating its iterable.
    if (node.type === "ForOfStatement" && node.await) at = Math.min(at, node.right.range[1]);
    for (const [key, child] of Object.entries(node)) {
      if (key === "parent") continue;
      for (const c of Array.isArray(child) ? (child as unknown[]) : [child]) {
        if (typeof c === "object" && c !== null && typeof (c as TSESTree.Node).type === "string" && !isFunction(c as TSESTree.Node)) visit(c as TSESTree.Node);
      }
    }
  };
  if (fn.body !== null && fn.body !== undefined) visit(fn.body);
  return at;
}
