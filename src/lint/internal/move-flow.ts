/**
 * The flow walk of `ownkit/no-use-after-move`: one function body (or a module's top level) in
 * evaluation order, with branches, loops, `switch`, `try` and closures, tracking which bindings and
 * paths are moved. What counts as a move is the rule's business ({@link MoveHooks}).
 *
 * @module
 */
import type { TSESTree } from "@typescript-eslint/utils";
import { EMPTY, UNREACHABLE, merge, mergeAll, withLive, withMove, type Move, type MoveKind, type MoveState } from "./move-state.js";

/** A binding or path the rule can track: its key, its printed name, and whether it is local to the walked function. */
export interface Tracked {
  /** The state key: a binding's id, or a path under it (`3.current`). */
  readonly key: string;
  /** As printed: `page`, `this.current`, `pages[0]`. */
  readonly name: string;
  /** Whether the binding is declared outside the walked function (a capture). */
  readonly outer: boolean;
}

/** A move a call or a store makes: which expression, by what, and how. */
export interface MoveSite {
  /** The moved expression (an argument, the receiver, the stored value). */
  readonly value: TSESTree.Expression;
  /** As printed in the message: `release()`, `usePage()`. */
  readonly by: string;
  /** Whole move or end of uniqueness. */
  readonly kind: MoveKind;
  /** The unique member this move needs (`release`, `intoShared`), checked against a shared folio. */
  readonly needsUnique?: string | undefined;
}

/** What a function's body does to the bindings it captures, for its callers. */
export interface ClosureSummary {
  /** Captured bindings and the first reference to each. */
  readonly uses: ReadonlyMap<string, { readonly name: string; readonly node: TSESTree.Node }>;
  /** Captured bindings the body moves, with the last move. */
  readonly moves: ReadonlyMap<string, Move>;
}

/** The rule's side of the walk: recognising moves, resolving names and reporting. */
export interface MoveHooks {
  /** The binding or path an expression names, or `undefined` for anything else. */
  tracked(node: TSESTree.Node, within: TSESTree.Node): Tracked | undefined;
  /** The moves a call or `new` makes once its arguments are evaluated. */
  callMoves(call: TSESTree.CallExpression | TSESTree.NewExpression): readonly MoveSite[];
  /**
   * Whether storing `value` moves it: a kit owner or reference stored where the type (of `target`,
   * the binding or field, when there is one) is an owner or reference too, not a borrower's view.
   */
  movesWhenStored(value: TSESTree.Expression, target: TSESTree.Node | undefined): boolean;
  /** Whether a member of a shared folio named `member` needs the unique folio (write, mapMut, …). */
  needsUnique(member: string): boolean;
  /** The summary of a nested function (walked once, memoised). */
  summary(fn: TSESTree.FunctionLike): ClosureSummary;
  /** Reports a use of a moved value. */
  report(node: TSESTree.Node, name: string, move: Move, through: string | undefined): void;
}

type FunctionNode = TSESTree.ArrowFunctionExpression | TSESTree.FunctionDeclaration | TSESTree.FunctionExpression;

const isFunction = (node: TSESTree.Node): node is FunctionNode =>
  node.type === "ArrowFunctionExpression" || node.type === "FunctionDeclaration" || node.type === "FunctionExpression";

const unwrap = (node: TSESTree.Node): TSESTree.Node =>
  node.type === "TSNonNullExpression" || node.type === "TSAsExpression" || node.type === "TSSatisfiesExpression" || node.type === "ChainExpression"
    ? unwrap(node.expression)
    : node;

const LOOP = "in a previous iteration of the loop";
const BRANCH = "in a branch";

/** Walks one function body (or a program) and reports uses of moved values through `hooks`. */
export class MoveFlow {
  private state: MoveState = EMPTY;
  private readonly breaks: MoveState[][] = [];
  private readonly continues: MoveState[][] = [];
  private readonly closures = new Map<string, ClosureSummary>();
  private readonly uses = new Map<string, { name: string; node: TSESTree.Node }>();
  private readonly outerMoves = new Map<string, Move>();

  /**
   * @param hooks - The rule's side.
   * @param root - The function or program walked.
   */
  constructor(
    private readonly hooks: MoveHooks,
    private readonly root: TSESTree.Node,
  ) {}

  /** Walks the body and returns what it does to captured bindings. */
  run(): ClosureSummary {
    const root = this.root;
    if (root.type === "Program") root.body.forEach((s) => this.stmt(s));
    else if (isFunction(root)) {
      if (root.body?.type === "BlockStatement") this.stmt(root.body);
      else if (root.body !== undefined && root.body !== null) this.expr(root.body);
    }
    return { uses: this.uses, moves: this.outerMoves };
  }

  private move(value: TSESTree.Node, by: string, kind: MoveKind, line: number): void {
    const target = this.hooks.tracked(unwrap(value), this.root);
    if (target === undefined) return;
    const previous = this.state.moves.get(target.key);
    // A value moved on every path stays moved by its first move (the use was reported already).
    if (previous !== undefined && previous.maybe === undefined && previous.kind === "moved") return;
    const move: Move = { name: target.name, by, line, kind, maybe: undefined };
    this.state = withMove(this.state, target.key, move);
    if (target.outer && !this.state.unreachable) this.outerMoves.set(target.key, move);
  }

  private live(node: TSESTree.Node): void {
    const target = this.hooks.tracked(node, this.root);
    if (target !== undefined) this.state = withLive(this.state, target.key);
  }

  /** Resets every name a declaration or assignment pattern binds. */
  private bind(pattern: TSESTree.Node): void {
    switch (pattern.type) {
      case "Identifier":
        return this.live(pattern);
      case "ArrayPattern":
        return pattern.elements.forEach((e) => e !== null && this.bind(e));
      case "ObjectPattern":
        return pattern.properties.forEach((p) => this.bind(p.type === "Property" ? p.value : p.argument));
      case "AssignmentPattern":
        this.expr(pattern.right);
        return this.bind(pattern.left);
      case "RestElement":
        return this.bind(pattern.argument);
      case "MemberExpression":
        if (this.hooks.tracked(pattern, this.root) !== undefined) return this.live(pattern);
        this.expr(pattern.object);
        if (pattern.computed) this.expr(pattern.property);
        return;
      default:
        return;
    }
  }

  /** A read of a binding or path: reported when it (or a path above it) is moved. */
  private use(node: TSESTree.Node, member?: string): void {
    const target = this.hooks.tracked(node, this.root);
    if (target === undefined) return;
    if (target.outer && !this.uses.has(target.key)) this.uses.set(target.key, { name: target.name, node });
    for (const [key, move] of this.state.moves) {
      if (key !== target.key && !target.key.startsWith(`${key}.`)) continue;
      if (move.kind === "shared") {
        // After intoShared() only the unique members are gone: `unique.write`, not `unique.lock`.
        const below = key === target.key ? member : target.key.slice(key.length + 1).split(".")[0];
        if (below === undefined || !this.hooks.needsUnique(below)) continue;
      }
      this.hooks.report(node, move.name, move, undefined);
      return;
    }
  }

  private store(value: TSESTree.Node | null | undefined, by: string, target?: TSESTree.Node): void {
    if (value === null || value === undefined) return;
    const inner = unwrap(value);
    if (inner.type !== "Identifier" && inner.type !== "MemberExpression") return;
    if (this.hooks.movesWhenStored(inner as TSESTree.Expression, target)) this.move(inner, by, "moved", value.loc.start.line);
  }

  /** The whole move of `key` or of a path above it, if any. */
  private movedAbove(key: string): Move | undefined {
    for (const [moved, move] of this.state.moves) {
      if (move.kind === "moved" && (moved === key || key.startsWith(`${moved}.`))) return move;
    }
    return undefined;
  }

  private closure(fn: FunctionNode, bound: TSESTree.Node | undefined): void {
    const summary = this.hooks.summary(fn);
    for (const [key, use] of summary.uses) {
      const move = this.movedAbove(key);
      if (move !== undefined) this.hooks.report(use.node, move.name, move, undefined);
    }
    for (const [key, use] of summary.uses) if (!this.uses.has(key)) this.uses.set(key, use);
    const target = bound === undefined ? undefined : this.hooks.tracked(bound, this.root);
    if (target !== undefined) {
      this.closures.set(target.key, summary);
      return;
    }
    // An inline callback may run now, later, never or many times: its moves are "maybe" from here.
    for (const [key, move] of summary.moves) {
      const maybe = { ...move, maybe: "inside a callback" };
      this.state = withMove(this.state, key, maybe);
    }
  }

  private callClosure(call: TSESTree.CallExpression): void {
    const target = this.hooks.tracked(unwrap(call.callee), this.root);
    const summary = target === undefined ? undefined : this.closures.get(target.key);
    if (target === undefined || summary === undefined) return;
    for (const key of summary.uses.keys()) {
      const move = this.movedAbove(key);
      if (move !== undefined) this.hooks.report(call, move.name, move, `${target.name}()`);
    }
    for (const [key, move] of summary.moves) {
      this.state = withMove(this.state, key, { ...move, by: `${target.name}()`, line: call.loc.start.line });
    }
  }

  private branches(first: () => void, second: () => void, why: string): void {
    const entry = this.state;
    first();
    const afterFirst = this.state;
    this.state = entry;
    second();
    this.state = merge(afterFirst, this.state, why);
  }

  /**
   * Runs a loop body twice: the second pass sees the moves of the first as "previous iteration".
   * `iteration` leaves the state at the end of the body and returns the state on leaving the loop.
   */
  private loop(once: (() => void) | undefined, iteration: () => MoveState): void {
    once?.();
    const entry = this.state;
    this.breaks.push([]);
    this.continues.push([]);
    iteration();
    this.state = merge(entry, this.state, LOOP);
    this.breaks[this.breaks.length - 1] = [];
    const exit = iteration();
    const breaks = this.breaks.pop() ?? [];
    this.continues.pop();
    this.state = mergeAll([exit, ...breaks], LOOP);
  }

  private endOfIteration(): MoveState {
    const continues = this.continues.at(-1) ?? [];
    const end = mergeAll([this.state, ...continues], LOOP);
    continues.length = 0;
    return end;
  }

  private stmt(node: TSESTree.Node): void {
    switch (node.type) {
      case "BlockStatement":
      case "StaticBlock":
        return node.body.forEach((s) => this.stmt(s));
      case "ExpressionStatement":
        return this.expr(node.expression);
      case "VariableDeclaration":
        for (const declarator of node.declarations) {
          if (declarator.init !== null && isFunction(declarator.init) && declarator.id.type === "Identifier") {
            this.closure(declarator.init, declarator.id);
            continue;
          }
          if (declarator.init !== null) this.expr(declarator.init);
          const name = declarator.id.type === "Identifier" ? declarator.id.name : "{ … }";
          this.store(declarator.init, `${node.kind} ${name} = …`, declarator.id);
          this.bind(declarator.id);
        }
        return;
      case "IfStatement":
        this.expr(node.test);
        return this.branches(
          () => this.stmt(node.consequent),
          () => node.alternate !== null && this.stmt(node.alternate),
          BRANCH,
        );
      case "WhileStatement":
        return this.loop(undefined, () => {
          this.expr(node.test);
          const exit = this.state;
          this.stmt(node.body);
          this.state = this.endOfIteration();
          return exit;
        });
      case "DoWhileStatement":
        return this.loop(undefined, () => {
          this.stmt(node.body);
          this.state = this.endOfIteration();
          this.expr(node.test);
          return this.state;
        });
      case "ForStatement":
        return this.loop(
          () => node.init !== null && (node.init.type === "VariableDeclaration" ? this.stmt(node.init) : this.expr(node.init)),
          () => {
            if (node.test !== null) this.expr(node.test);
            const exit = node.test === null ? UNREACHABLE : this.state;
            this.stmt(node.body);
            this.state = this.endOfIteration();
            if (node.update !== null) this.expr(node.update);
            return exit;
          },
        );
      case "ForOfStatement":
      case "ForInStatement":
        return this.loop(
          () => this.expr(node.right),
          () => {
            const exit = this.state;
            this.bind(node.left.type === "VariableDeclaration" ? (node.left.declarations[0]?.id ?? node.left) : node.left);
            this.stmt(node.body);
            this.state = this.endOfIteration();
            return merge(exit, this.state, LOOP);
          },
        );
      case "ReturnStatement":
      case "ThrowStatement":
        if (node.argument !== null) this.expr(node.argument);
        this.state = UNREACHABLE;
        return;
      case "BreakStatement":
        this.breaks.at(-1)?.push(this.state);
        this.state = UNREACHABLE;
        return;
      case "ContinueStatement":
        this.continues.at(-1)?.push(this.state);
        this.state = UNREACHABLE;
        return;
      case "LabeledStatement":
        return this.stmt(node.body);
      case "SwitchStatement": {
        this.expr(node.discriminant);
        const entry = this.state;
        this.breaks.push([]);
        let fall = UNREACHABLE;
        for (const branch of node.cases) {
          this.state = merge(fall, entry, "in a `case` that falls through to this one");
          if (branch.test !== null) this.expr(branch.test);
          branch.consequent.forEach((s) => this.stmt(s));
          fall = this.state;
        }
        const breaks = this.breaks.pop() ?? [];
        const hasDefault = node.cases.some((c) => c.test === null);
        this.state = mergeAll([fall, ...breaks, hasDefault ? UNREACHABLE : entry], "in one `case` of the switch");
        return;
      }
      case "TryStatement": {
        const entry = this.state;
        this.stmt(node.block);
        const tryEnd = this.state;
        const thrown = merge(entry, tryEnd, "in the `try` block, before an exception");
        let after = tryEnd;
        if (node.handler !== null) {
          this.state = thrown;
          if (node.handler.param !== null) this.bind(node.handler.param);
          this.stmt(node.handler.body);
          after = merge(tryEnd, this.state, "in the `try` or the `catch` block");
        }
        if (node.finalizer !== null) {
          this.state = merge(after, node.handler === null ? thrown : UNREACHABLE, "in the `try` block, before an exception");
          if (this.state.unreachable) this.state = thrown;
          this.stmt(node.finalizer);
          if (after.unreachable) this.state = UNREACHABLE;
        } else this.state = after;
        return;
      }
      case "FunctionDeclaration":
        return this.closure(node, node.id ?? undefined);
      case "ExportNamedDeclaration":
        if (node.declaration !== null) this.stmt(node.declaration);
        return;
      case "ExportDefaultDeclaration":
        if (node.declaration.type.endsWith("Declaration")) this.stmt(node.declaration);
        else this.expr(node.declaration);
        return;
      default:
        // Classes (their methods are walked on their own), imports, type declarations, empty statements.
        return;
    }
  }

  private expr(node: TSESTree.Node): void {
    switch (node.type) {
      case "Identifier":
      case "ThisExpression":
        return this.use(node);
      case "MemberExpression": {
        if (this.hooks.tracked(node, this.root) !== undefined) {
          const parent = node.parent;
          const member = parent.type === "MemberExpression" && parent.object === node && !parent.computed && parent.property.type === "Identifier" ? parent.property.name : undefined;
          return this.use(node, member);
        }
        const object = unwrap(node.object);
        if (this.hooks.tracked(object, this.root) !== undefined && !node.computed && node.property.type === "Identifier") this.use(object, node.property.name);
        else this.expr(node.object);
        if (node.computed) this.expr(node.property);
        return;
      }
      case "CallExpression":
      case "NewExpression": {
        if (node.type === "CallExpression" || !isFunction(node.callee)) this.expr(node.callee);
        for (const argument of node.arguments) this.expr(argument);
        if (node.type === "CallExpression") this.callClosure(node);
        for (const site of this.hooks.callMoves(node)) {
          if (site.needsUnique !== undefined) this.use(unwrap(site.value), site.needsUnique);
          this.move(site.value, site.by, site.kind, node.loc.start.line);
        }
        return;
      }
      case "LogicalExpression":
        this.expr(node.left);
        return this.branches(() => this.expr(node.right), () => undefined, BRANCH);
      case "ConditionalExpression":
        this.expr(node.test);
        return this.branches(() => this.expr(node.consequent), () => this.expr(node.alternate), BRANCH);
      case "AssignmentExpression": {
        this.expr(node.right);
        if (node.operator !== "=") this.expr(node.left);
        const target = node.left.type === "MemberExpression" ? this.hooks.tracked(node.left, this.root)?.name : undefined;
        this.store(node.right, `${target ?? (node.left.type === "Identifier" ? node.left.name : "…")} = …`, node.left);
        return this.bind(node.left);
      }
      case "ArrayExpression":
        for (const element of node.elements) {
          if (element === null) continue;
          this.expr(element);
          if (element.type !== "SpreadElement") this.store(element, "[…]");
        }
        return;
      case "ObjectExpression":
        for (const property of node.properties) {
          if (property.type === "SpreadElement") {
            this.expr(property.argument);
            continue;
          }
          if (property.computed) this.expr(property.key);
          this.expr(property.value);
          this.store(property.value as TSESTree.Expression, "{ … }");
        }
        return;
      case "YieldExpression":
        if (node.argument !== null) this.expr(node.argument);
        return this.store(node.argument, "yield");
      case "ArrowFunctionExpression":
      case "FunctionExpression":
        return this.closure(node, undefined);
      case "ClassExpression":
      case "Literal":
      case "Super":
      case "MetaProperty":
        return;
      case "TSNonNullExpression":
      case "TSAsExpression":
      case "TSSatisfiesExpression":
      case "TSTypeAssertion":
      case "TSInstantiationExpression":
      case "ChainExpression":
        return this.expr(node.expression);
      case "AwaitExpression":
      case "SpreadElement":
      case "UnaryExpression":
      case "UpdateExpression":
        return this.expr(node.argument);
      case "BinaryExpression":
        this.expr(node.left);
        return this.expr(node.right);
      case "SequenceExpression":
        return node.expressions.forEach((e) => this.expr(e));
      case "TemplateLiteral":
        return node.expressions.forEach((e) => this.expr(e));
      case "TaggedTemplateExpression":
        this.expr(node.tag);
        return node.quasi.expressions.forEach((e) => this.expr(e));
      case "ImportExpression":
        return this.expr(node.source);
      default:
        return;
    }
  }
}
