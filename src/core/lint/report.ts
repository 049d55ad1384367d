/** Findings as text, JSON and SARIF 2.1.0 (what GitHub code scanning reads). */
import { DUPLICATE_KEY_RULE, FILE_RULE, RULES } from './ruleRegistry.ts';
import { LineIndex } from './text.ts';
import type { Finding, Severity } from './types.ts';
import type { UnitSummary } from './unitSummary.ts';

export interface FileFindings {
  /** As given on the command line (relative paths stay relative). */
  file: string;
  text: string;
  findings: Finding[];
  /** What the linter understood of the file's serving units (JSON output). */
  understood?: UnitSummary[];
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  ruleId: string;
  severity: Severity;
  message: string;
}

export function toJsonFindings(files: FileFindings[]): JsonFinding[] {
  return files.flatMap(({ file, text, findings }) => {
    const index = new LineIndex(text);
    return findings.map((f) => {
      const start = index.position(f.span.start);
      const end = index.position(f.span.end);
      return {
        file,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
      };
    });
  });
}

export type JsonUnit = Omit<UnitSummary, 'offset'> & { file: string; line: number };

/** The `units` of `--format json`: what was understood, beside the findings. */
export function toJsonUnits(files: FileFindings[]): JsonUnit[] {
  return files.flatMap(({ file, text, understood }) => {
    const index = new LineIndex(text);
    return (understood ?? []).map(({ offset, ...rest }) => ({ file, line: index.position(offset).line, ...rest }));
  });
}

export function toText(files: FileFindings[]): string {
  const all = toJsonFindings(files);
  const lines = all.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.message} [${f.ruleId}]`);
  const count = (s: Severity) => all.filter((f) => f.severity === s).length;
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  lines.push(
    `${n(files.length, 'file')}: ${n(count('error'), 'error')}, ${n(count('warning'), 'warning')}, ${count('info')} info`,
  );
  return lines.join('\n');
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/** `docs` maps a rule's page (docs/rules/<id>.md) to its Markdown, shown as the rule's help. */
export function toSarif(files: FileFindings[], version: string, docs: (page: string) => string | undefined) {
  const rules = [
    ...RULES.map((r) => ({ id: r.id, title: r.docs.title, page: r.docs.page, severity: r.severity })),
    { id: FILE_RULE.id, title: FILE_RULE.title, page: FILE_RULE.page, severity: 'error' as Severity },
    {
      id: DUPLICATE_KEY_RULE.id,
      title: DUPLICATE_KEY_RULE.title,
      page: DUPLICATE_KEY_RULE.page,
      severity: 'error' as Severity,
    },
  ];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'GPU Workbench',
            informationUri: 'https://marketplace.visualstudio.com/items?itemName=gpu-workbench.gpu-workbench',
            version,
            rules: rules.map((r) => {
              const markdown = docs(r.page);
              return {
                id: r.id,
                name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
                shortDescription: { text: r.title },
                ...(markdown ? { help: { text: markdown, markdown } } : {}),
                defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              };
            }),
          },
        },
        results: toJsonFindings(files).map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: rules.findIndex((r) => r.id === f.ruleId),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
}
