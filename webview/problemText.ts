/** The problem's JSON as the form writes it (pure: no DOM, unit-tested). */

/** The problem's JSON with one line per GPU type and per model, as the examples are written. */
export function formatProblem(problem: Record<string, unknown>): string {
  const lines = Object.entries(problem).map(([key, value]) =>
    Array.isArray(value) && value.length > 0
      ? `  ${JSON.stringify(key)}: [\n${value.map((v) => `    ${JSON.stringify(v)}`).join(',\n')}\n  ]`
      : `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return `{\n${lines.join(',\n')}\n}\n`;
}
