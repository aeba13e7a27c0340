/** Types of scripts/consumer-expect.mjs for the tests that import it. */
export function expectedDiagnostics(file: string, tags: ReadonlySet<string>): { line: number; code: number; fragment: string }[];
export function parseTscOutput(output: string): { file: string; line: number; code: number; message: string }[];
export function compare(expected: { line: number; code: number; fragment: string }[], actual: { line: number; code: number; message: string }[]): string[];
export function readmePrograms(markdown: string): { name: string; text: string }[];
