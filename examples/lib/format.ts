/**
 * Output helpers shared by the example workloads: headings, aligned label/value rows and number
 * formatting, so each section of the demo reads the same way.
 *
 * @module
 */

/** Where a workload prints: a function taking text (the demo passes one writing to stdout). */
export type Write = (text: string) => void;

/** Writes to standard output. */
export const stdout: Write = (text) => {
  process.stdout.write(text);
};

/**
 * Formats an integer with thousands separators (`12,345`).
 *
 * @param value - The number.
 */
export function int(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/**
 * Formats a byte count in the largest unit that keeps it readable (`4.0 MiB`).
 *
 * @param value - Bytes.
 */
export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${(value / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Formats a number as hexadecimal with a `0x` prefix, padded to `width` digits.
 *
 * @param value - A non-negative integer.
 * @param width - The minimum number of digits.
 */
export function hex(value: number, width = 0): string {
  return `0x${value.toString(16).padStart(width, "0")}`;
}

/**
 * Prints a section heading.
 *
 * @param write - Where to print.
 * @param title - The heading text.
 */
export function heading(write: Write, title: string): void {
  write(`\n## ${title}\n\n`);
}

/**
 * Prints label/value rows with the values aligned in one column.
 *
 * @param write - Where to print.
 * @param rows - `[label, value]` pairs; a value is printed as given.
 */
export function rows(write: Write, rows: readonly (readonly [string, string])[]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) write(`  ${label.padEnd(width)}  ${value}\n`);
}
