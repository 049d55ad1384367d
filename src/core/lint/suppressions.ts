/** `# gpu-workbench-disable-next-line [rule, ...]` and `# gpu-workbench-disable [rule, ...]`. */
import { LineIndex } from './text.ts';
import type { Finding } from './types.ts';

const KEYWORD = 'gpu-workbench-disable';
const NEXT_LINE = '-next-line';
const RULE_LIST = /^[A-Za-z0-9_,\s-]*$/;

/**
 * `# gpu-workbench-disable[-next-line] [rules]` at the end of a line, read without a
 * backtracking regex (the old one was cubic on a long line of spaces). Nothing after the
 * directive's `#` can be a `#`, so it is the line's last `#`: one scan back, one forward.
 */
export function parseDirective(line: string): { nextLine: boolean; rules: string[] } | undefined {
  const hash = line.lastIndexOf('#');
  if (hash < 0) return undefined;
  let at = hash + 1;
  while (at < line.length && /\s/.test(line[at]!)) at++;
  if (!line.startsWith(KEYWORD, at)) return undefined;
  let rest = line.slice(at + KEYWORD.length);
  const nextLine = rest.startsWith(NEXT_LINE);
  if (nextLine) rest = rest.slice(NEXT_LINE.length);
  if (rest !== '' && !/^\s/.test(rest)) return undefined;
  if (!RULE_LIST.test(rest)) return undefined;
  return { nextLine, rules: rest.split(/[\s,]+/).filter(Boolean) };
}

export function applySuppressions(text: string, findings: Finding[]): Finding[] {
  // Most files have no directive: no line index, no split (a 500,000-line file costs nothing here).
  if (findings.length === 0 || !text.includes(KEYWORD)) return findings;
  const index = new LineIndex(text);
  const file = new Set<string>();
  let fileAll = false;
  const nextLine = new Map<number, Set<string> | 'all'>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const match = parseDirective(line);
    if (!match) return;
    const rules = match.rules;
    if (match.nextLine) nextLine.set(i + 2, rules.length ? new Set(rules) : 'all');
    else if (rules.length) rules.forEach((r) => file.add(r));
    else fileAll = true;
  });
  if (!fileAll && file.size === 0 && nextLine.size === 0) return findings;
  return findings.filter((f) => {
    if (fileAll || file.has(f.ruleId)) return false;
    const rule = nextLine.get(index.position(f.span.start).line);
    return !(rule === 'all' || rule?.has(f.ruleId));
  });
}

/** The text of a comment that disables `ruleId` on the line at `offset`, and where it goes. */
export function disableNextLineEdit(text: string, offset: number, ruleId: string): { offset: number; text: string } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
  return { offset: lineStart, text: `${indent}# gpu-workbench-disable-next-line ${ruleId}\n` };
}

export function disableFileEdit(text: string, ruleId: string): { offset: number; text: string } {
  // After a shebang, if any.
  const offset = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
  return { offset, text: `# gpu-workbench-disable ${ruleId}\n` };
}
