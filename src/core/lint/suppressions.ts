/** `# gpu-workbench-disable-next-line [rule, ...]` and `# gpu-workbench-disable [rule, ...]`. */
import { LineIndex } from './text.ts';
import type { Finding } from './types.ts';

const DIRECTIVE = /#\s*gpu-workbench-disable(-next-line)?(?:\s+([A-Za-z0-9_,\s-]+))?\s*$/;

export function applySuppressions(text: string, findings: Finding[]): Finding[] {
  const index = new LineIndex(text);
  const file = new Set<string>();
  let fileAll = false;
  const nextLine = new Map<number, Set<string> | 'all'>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const match = DIRECTIVE.exec(line);
    if (!match) return;
    const rules = (match[2] ?? '').split(/[\s,]+/).filter(Boolean);
    if (match[1]) nextLine.set(i + 2, rules.length ? new Set(rules) : 'all');
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
