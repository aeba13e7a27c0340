/**
 * The abstract state of `ownkit/no-use-after-move`: which bindings and paths are moved at a point of
 * a function body, and how two paths' states merge.
 *
 * @module
 */

/** How a value was moved: entirely, or only its uniqueness (`intoShared`). */
export type MoveKind = "moved" | "shared";

/** One move as the rule remembers it. */
export interface Move {
  /** The moved binding or path as printed: `page`, `this.current`. */
  readonly name: string;
  /** What moved the value, as printed: `release()`, `usePage()`, `const other = …`. */
  readonly by: string;
  /** The line of the move. */
  readonly line: number;
  /** Whole move, or the end of a `UniqueFolio`'s uniqueness. */
  readonly kind: MoveKind;
  /** Why the move happened only on some paths, or `undefined` when it happened on every path. */
  readonly maybe: string | undefined;
}

/** The moves at one point: by key (a binding's id, or a path under it such as `3.current`). */
export interface MoveState {
  /** `true` after `return`, `throw`, `break` or `continue`: no path reaches this point. */
  readonly unreachable: boolean;
  /** The moved keys. */
  readonly moves: ReadonlyMap<string, Move>;
}

/** The state at a function's entry: nothing moved. */
export const EMPTY: MoveState = { unreachable: false, moves: new Map() };

/** The state after a jump: no path continues. */
export const UNREACHABLE: MoveState = { unreachable: true, moves: new Map() };

/** `state` with `key` moved. */
export function withMove(state: MoveState, key: string, move: Move): MoveState {
  if (state.unreachable) return state;
  const moves = new Map(state.moves);
  moves.set(key, move);
  return { unreachable: false, moves };
}

/** `state` with `key` and every path under it live again (a new value was assigned or declared). */
export function withLive(state: MoveState, key: string): MoveState {
  if (state.unreachable) return state;
  let moves: Map<string, Move> | undefined;
  for (const moved of state.moves.keys()) {
    if (moved === key || moved.startsWith(`${key}.`)) {
      moves ??= new Map(state.moves);
      moves.delete(moved);
    }
  }
  return moves === undefined ? state : { unreachable: false, moves };
}

/**
 * Joins the states of two paths that meet: a key moved on both stays as the first says; a key moved
 * on one only becomes "may have been moved" with `why`.
 */
export function merge(first: MoveState, second: MoveState, why: string): MoveState {
  if (first.unreachable) return second;
  if (second.unreachable) return first;
  const moves = new Map<string, Move>();
  for (const [key, move] of first.moves) {
    const other = second.moves.get(key);
    if (other === undefined) moves.set(key, move.maybe === undefined ? { ...move, maybe: why } : move);
    else moves.set(key, move.maybe === undefined ? move : other);
  }
  for (const [key, move] of second.moves) {
    if (!first.moves.has(key)) moves.set(key, move.maybe === undefined ? { ...move, maybe: why } : move);
  }
  return { unreachable: false, moves };
}

/** Joins any number of states (see {@link merge}); no state at all is {@link UNREACHABLE}. */
export function mergeAll(states: readonly MoveState[], why: string): MoveState {
  return states.reduce((joined, state) => merge(joined, state, why), UNREACHABLE);
}
