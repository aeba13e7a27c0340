/**
 * The stack depot of page_owner (the kernel's `lib/stackdepot.c`): each distinct stack is kept once,
 * as plain frame values, and named by a small integer.
 *
 * @module
 */
import { StackFrame, type CallSite } from "./stack-frame.js";

/** Frames a report shows: the first ones outside the kit's own code. */
const SHOWN_FRAMES = 8;
/**
 * The frames a first capture looks at: the kit's own frames (usually 5 to 9) plus the shown ones. A
 * report is the first `SHOWN_FRAMES` shown frames of these, or of `MAX_FRAMES` when
 * these end among the kit's or the caller's frames with fewer shown.
 */
const CUT_FRAMES = 16;
/** Frames captured at most: when the first `CUT_FRAMES` end among the kit's or the caller's frames. */
const MAX_FRAMES = 30;
/** Capture sites whose depths the depot learns apart (see {@link StackDepot.capture}). */
const CAPTURE_SITES = 4;
/** Captures that needed fewer frames than the learned depth before it shrinks by one frame. */
const SHRINK_AFTER = 32;
/** What the collector returns when the capture was too shallow. */
const RETRY = -1;
const NO_FRAMES = "    (no frames outside the core)";
const NOT_CAPTURED = "    (not captured: Error.stackTraceLimit or Error.prepareStackTrace could not be set, or the stack was full)";
/** The stack of an event whose capture failed. */
const UNCAPTURED: readonly StackFrame[] = Object.freeze([]);

// The kit's own layers (core, mm, ownership) in this package, from source or built; a report's
// stack starts at the caller's code. Anchored at the package root so a user's own `src/mm/` stays.
const packageRoot = new URL("../../../", import.meta.url).pathname.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A kit frame, tested on a frame's file name or on a formatted stack line. */
export const CORE_FRAME = new RegExp(`${packageRoot}(?:src|dist)/(?:core|mm|ownership)/`);
/** A runtime frame (Node's own modules, installed packages), tested on a formatted stack line. */
export const INTERNAL_FRAME = /\(node:|at node:|[\\/]node_modules[\\/]/;
/** The same as {@link INTERNAL_FRAME}, tested on a frame's file name. */
const INTERNAL_FILE = /^node:|[\\/]node_modules[\\/]/;
/** A file of the caller's code: its frames are shown. */
const CALLER_FILE = 0;
/** A file of the kit's own code. */
const KIT_FILE = 1;
/** A file of the runtime (Node's own modules, installed packages): a cut among its frames stops the report. */
const RUNTIME_FILE = 2;

/**
 * The stack depot: every distinct stack captured once, as {@link StackFrame}s, under a small id.
 *
 * @remarks
 * A capture looks at the frames a report shows only: a frame is found by its code position (file
 * and offset, with the receiver's type), as the kernel's depot finds a return address, and copied
 * with V8's own text the first time it is seen; the stack is then looked up by its frames' numbers,
 * so a stack seen before costs no memory and no text. A frame first seen through a different
 * property name keeps that name in its `[as name]` suffix. A report formats a stack
 * by passing its frames to `Error.prepareStackTrace` when one is installed, so the text is what the
 * old lazily formatted `Error` gave.
 *
 * @invariant Ids are dense from 0 and a stack's frames never change once stored.
 */
export class StackDepot {
  readonly #ids = new Map<string, number>();
  readonly #stacks: (readonly StackFrame[])[] = [];
  readonly #frames = new Map<string, StackFrame>();
  readonly #byPosition = new Map<string, Map<number, StackFrame>>();
  readonly #fileKinds = new Map<string, number>();
  readonly #holder: { stack?: unknown } = {};
  readonly #shown: StackFrame[] = [];
  /** Per capture site, the frames its next capture takes: what its recent captures needed. */
  readonly #depths: number[] = new Array<number>(CAPTURE_SITES).fill(CUT_FRAMES);
  /** Per capture site, the captures in a row that needed fewer frames than its depth. */
  readonly #shallowRuns: number[] = new Array<number>(CAPTURE_SITES).fill(0);
  /** Per capture site, the most frames one of those shallower captures needed. */
  readonly #shallowMax: number[] = new Array<number>(CAPTURE_SITES).fill(0);
  /** Per capture site, the id of its last stack (-1 before its first): most captures repeat it. */
  readonly #lastIds: number[] = new Array<number>(CAPTURE_SITES).fill(-1);
  /** The capture site of the running capture. */
  #slot = 0;
  /** The frames the running capture takes. */
  #limit = CUT_FRAMES;
  /** The frames the last collected capture needed to decide its report. */
  #needed = CUT_FRAMES;
  #uncaptured = -1;
  /** Whether the running capture's collector ran: a number from any other formatter is no stack id. */
  #collected = false;
  readonly #collect = (_error: Error, sites: CallSite[]): number => {
    this.#collected = true;
    return this.#intern(sites);
  };

  /** The number of distinct stacks stored. */
  get size(): number {
    return this.#stacks.length;
  }

  /**
   * Captures the caller's stack and stores it if it is new.
   *
   * @remarks
   * A capture takes as many frames as the site's recent captures needed (V8 copies every frame it
   * is allowed, about 0.3 µs each), so a caller deeper than the first `CUT_FRAMES` frames
   * costs one capture, not a shallow one and a deep one. The stack stored is the same at any depth:
   * the first `SHOWN_FRAMES` shown frames, cut at `CUT_FRAMES` frames when those end
   * among the runtime's frames; a capture that ends too early is taken again at `MAX_FRAMES`.
   *
   * @param site - Which of the caller's recording sites captures, from 0 to 3 (page_owner's
   *   allocation and free paths sit at different depths); it picks the learned depth only.
   * @returns The stack's id.
   */
  capture(site = 0): number {
    try {
      const slot = site & (CAPTURE_SITES - 1);
      const depth = this.#depths[slot]!;
      this.#slot = slot;
      let id = this.#captureWith(depth);
      if (id === RETRY) id = this.#captureWith(MAX_FRAMES);
      this.#learn(slot, depth, this.#needed);
      return id;
    } catch {
      // A frozen `Error` or a stack at its limit: the event is recorded as not captured, and the
      // allocation or free that records it goes on.
      if (this.#uncaptured < 0) {
        this.#uncaptured = this.#stacks.length;
        this.#stacks.push(UNCAPTURED);
      }
      return this.#uncaptured;
    }
  }

  /**
   * The text of a stored stack, one `at ...` line per frame.
   *
   * @param id - An id from {@link StackDepot.capture}.
   * @returns The frames indented by four spaces, at most eight.
   */
  format(id: number): string {
    const frames = this.#stacks[id] ?? [];
    if (frames === UNCAPTURED) return NOT_CAPTURED;
    if (frames.length === 0) return NO_FRAMES;
    const prepare = Error.prepareStackTrace;
    let text: unknown;
    if (prepare !== undefined) {
      try {
        text = prepare(headerError(), [...frames]);
      } catch {
        text = undefined; // a failing formatter must not hide the report
      }
    }
    if (typeof text !== "string") return frames.map((frame) => `    at ${frame.text}`).join("\n");
    const lines = text
      .split("\n")
      .slice(1)
      .filter((line) => !CORE_FRAME.test(line) && !INTERNAL_FRAME.test(line))
      .slice(0, SHOWN_FRAMES)
      .map((line) => `    ${line.trim()}`);
    return lines.length === 0 ? NO_FRAMES : lines.join("\n");
  }

  /** Moves a site's depth towards what its captures need: up at once, down after a run of shallower ones. */
  #learn(slot: number, depth: number, needed: number): void {
    if (needed < depth) {
      const runs = this.#shallowRuns[slot]! + 1;
      const most = Math.max(this.#shallowMax[slot]!, needed);
      if (runs < SHRINK_AFTER) {
        this.#shallowRuns[slot] = runs;
        this.#shallowMax[slot] = most;
        return;
      }
      this.#depths[slot] = most;
    } else if (needed > depth) {
      this.#depths[slot] = needed;
    }
    this.#shallowRuns[slot] = 0;
    this.#shallowMax[slot] = 0;
  }

  #captureWith(limit: number): number {
    const previousLimit = Error.stackTraceLimit;
    const previousPrepare = Error.prepareStackTrace;
    const holder = this.#holder;
    this.#limit = limit;
    this.#needed = limit;
    Error.stackTraceLimit = limit;
    try {
      Error.prepareStackTrace = this.#collect;
      try {
        // Frames from `capture` up are left out; reading `stack` runs the collector now, on the
        // live call sites, which are dropped when it returns.
        this.#collected = false;
        Error.captureStackTrace(holder, StackDepot.prototype.capture);
        const id = holder.stack;
        // A `prepareStackTrace` accessor that ignored the store above ran the caller's formatter,
        // whose number would name another stack: not captured (capture's catch records it so).
        if (typeof id === "number") {
          if (this.#collected) return id;
          throw new RangeError("the depot's collector did not run");
        }
        this.#shown.length = 0;
        return this.#store();
      } finally {
        Error.prepareStackTrace = previousPrepare;
      }
    } finally {
      holder.stack = undefined;
      Error.stackTraceLimit = previousLimit;
    }
  }

  /**
   * The collector: picks the shown frames of a capture and stores them, or asks for a deeper one.
   *
   * @remarks
   * The frames are those the depot always showed: the first `SHOWN_FRAMES` outside the kit's
   * and the runtime's files, among the first `CUT_FRAMES` frames, or among the first
   * `MAX_FRAMES` when frame `CUT_FRAMES` is still the kit's or the caller's (more of
   * the caller's frames follow). A capture of any depth gives the same frames: a shallower one
   * than the answer needs returns `RETRY`, a deeper one stops where the answer is decided.
   */
  #intern(sites: readonly CallSite[]): number {
    const shown = this.#shown;
    shown.length = 0;
    const count = sites.length;
    let lastKind = CALLER_FILE;
    let i = 0;
    for (; i < count && shown.length < SHOWN_FRAMES; i++) {
      // INVARIANT: frames past CUT_FRAMES are looked at only when the cut does not stop the report.
      if (i === CUT_FRAMES && lastKind === RUNTIME_FILE) break;
      const site = sites[i]!;
      const file = site.getFileName();
      if (file == null) {
        lastKind = RUNTIME_FILE; // a native frame: no file, as a cut there shows what was captured
      } else {
        lastKind = this.#kind(file);
        if (lastKind !== CALLER_FILE) continue;
      }
      shown.push(this.#frame(site, file));
    }
    if (shown.length === SHOWN_FRAMES || i < count) {
      this.#needed = i; // eight shown, or cut at CUT_FRAMES
    } else if (count < this.#limit) {
      this.#needed = count + 1; // the whole stack
    } else if (count < MAX_FRAMES && !(count === CUT_FRAMES && lastKind === RUNTIME_FILE)) {
      return RETRY; // more frames follow, and the report may need them
    }
    return this.#store();
  }

  /** The id of the stack in `#shown`, stored if it is new. */
  #store(): number {
    const shown = this.#shown;
    // The site's last stack again (a loop's allocations): compared frame by frame, no key is built.
    const last = this.#lastIds[this.#slot]!;
    if (last >= 0 && sameFrames(this.#stacks[last]!, shown)) return last;
    const id = this.#lookup(shown);
    this.#lastIds[this.#slot] = id;
    return id;
  }

  /** The id of a stack by its frames' numbers, stored if it is new. */
  #lookup(shown: readonly StackFrame[]): number {
    let key = "";
    for (const frame of shown) key += `${frame.id},`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const id = this.#stacks.length;
    this.#stacks.push(Object.freeze([...shown]));
    this.#ids.set(key, id);
    return id;
  }

  /** Whose a file's frames are: the caller's (shown), the kit's or the runtime's (left out of reports). */
  #kind(file: string): number {
    let kind = this.#fileKinds.get(file);
    if (kind === undefined) {
      // A kit installed under node_modules counts as the runtime, as for the cut it always did.
      kind = INTERNAL_FILE.test(file) ? RUNTIME_FILE : CORE_FRAME.test(file) ? KIT_FILE : CALLER_FILE;
      this.#fileKinds.set(file, kind);
    }
    return kind;
  }

  /**
   * The stored copy of a live frame: found by its code position (as the kernel's depot finds a
   * return address) when the receiver's type matches, else by V8's full frame text.
   */
  #frame(site: CallSite, file: string | null): StackFrame {
    const position = site.getPosition();
    let byPosition = file == null ? undefined : this.#byPosition.get(file);
    const candidate = byPosition?.get(position);
    // A file name does not name one script: scripts run with the same name (vm's default
    // `evalmachine.<anonymous>`, a module evaluated again after an edit) share positions, so the
    // function and its line and column must match too.
    if (
      candidate !== undefined &&
      candidate.getTypeName() === site.getTypeName() &&
      candidate.getFunctionName() === site.getFunctionName() &&
      candidate.getLineNumber() === site.getLineNumber() &&
      candidate.getColumnNumber() === site.getColumnNumber()
    ) {
      return candidate;
    }
    const text = site.toString();
    let frame = this.#frames.get(text);
    if (frame === undefined) {
      frame = new StackFrame(site, this.#frames.size);
      this.#frames.set(text, frame);
    }
    // A native frame has no file, and its position names no code: it is found by its text only.
    if (file != null) {
      if (byPosition === undefined) {
        byPosition = new Map();
        this.#byPosition.set(file, byPosition);
      }
      byPosition.set(position, frame);
    }
    return frame;
  }
}

/** The `Error` handed to a user's `Error.prepareStackTrace` for a stored stack (no frames of its own). */
function headerError(): Error {
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const error = new Error();
  Error.stackTraceLimit = previous;
  return error;
}

/** Whether two stacks hold the same frames (the depot's frames are unique by value, so by identity). */
function sameFrames(stored: readonly StackFrame[], shown: readonly StackFrame[]): boolean {
  if (stored.length !== shown.length) return false;
  for (let i = 0; i < shown.length; i++) if (stored[i] !== shown[i]) return false;
  return true;
}
