/**
 * The linter's entry: text in, findings out. It recognises the format from the file name and
 * content, reads every serving unit with positions, runs the rules, applies suppressions.
 * It never executes or fetches anything, so it runs in Restricted Mode too.
 */
import { composeUnits, looksLikeCompose } from './compose.ts';
import { kubernetesUnits, looksLikeKubernetes } from './kubernetes.ts';
import { parsePbtxt, tritonConfig } from './pbtxt.ts';
import { looksLikeRayServe, rayServeUnits } from './rayServe.ts';
import { DUPLICATE_KEY_RULE, FILE_RULE, RULES } from './ruleRegistry.ts';
import { scriptUnits } from './shellScript.ts';
import { applySuppressions } from './suppressions.ts';
import type { Finding, LintContext, LintOptions, Rule, ServingUnit, Severity, TritonConfig } from './types.ts';
import { vllmConfigUnits } from './vllmConfig.ts';
import { duplicateKeys, parseYaml } from './yamlSource.ts';
import { errorMessage } from '../errors.ts';

/** Larger files get one info finding and are skipped. */
export const MAX_LINT_BYTES = 2 * 1024 * 1024;

export type FileFormat = 'yaml' | 'pbtxt' | 'script' | 'unknown';

export function formatOf(path: string, text: string): FileFormat {
  const name = path.split(/[\\/]/).pop() ?? path;
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  if (/\.pbtxt$/i.test(name) || name === 'config.pbtxt') return 'pbtxt';
  if (/\.(sh|bash|zsh)$|^Dockerfile|\.dockerfile$|^Makefile$|\.md$/i.test(name) || text.startsWith('#!'))
    return 'script';
  return 'unknown';
}

export interface LintResult {
  findings: Finding[];
  /** How many serving units were found: 0 means the file is not a serving config. */
  units: number;
}

export interface LintRequest extends LintOptions {
  /** Per-rule severities ("off" removes the rule). */
  severities?: Record<string, Severity | 'off'>;
  rules?: readonly Rule[];
}

function fileFinding(message: string, severity: Severity, end = 0): Finding {
  return { ruleId: FILE_RULE.id, severity, message, span: { start: 0, end } };
}

/** Every serving unit (and Triton config) of a file, with the problems reading it. */
export function readServingUnits(
  path: string,
  text: string,
  format: FileFormat = formatOf(path, text),
): { units: ServingUnit[]; triton?: TritonConfig; problems: Finding[] } {
  if (format === 'pbtxt') {
    const parsed = parsePbtxt(text);
    if (!parsed.ok)
      return {
        units: [],
        problems: [
          { ruleId: FILE_RULE.id, severity: 'error', message: `config.pbtxt: ${parsed.message}`, span: parsed.span },
        ],
      };
    return { units: [], triton: tritonConfig(parsed.fields), problems: [] };
  }
  if (format === 'yaml') {
    const parsed = parseYaml(text);
    const problems = parsed.problems.map((p): Finding => ({
      ruleId: FILE_RULE.id,
      severity: p.severity ?? 'error',
      message: `YAML: ${p.message}`,
      span: p.span,
    }));
    for (const doc of parsed.documents) {
      problems.push(
        ...duplicateKeys(doc.contents).map((p): Finding => ({
          ruleId: DUPLICATE_KEY_RULE.id,
          severity: 'error',
          message: p.message,
          span: p.span,
        })),
      );
    }
    const units = parsed.documents.flatMap((doc) => {
      if (looksLikeKubernetes(doc)) return kubernetesUnits(doc, text);
      if (looksLikeCompose(doc)) return composeUnits(doc);
      if (looksLikeRayServe(doc)) return rayServeUnits(doc);
      return vllmConfigUnits(doc);
    });
    return { units, problems };
  }
  return { units: scriptUnits(text), problems: [] };
}

export function lintText(path: string, text: string, request: LintRequest): LintResult {
  if (text.length > MAX_LINT_BYTES)
    return {
      findings: [
        fileFinding(
          `Not linted: ${Math.round(text.length / 1024)} KiB is over the ${MAX_LINT_BYTES / 1024 / 1024} MiB limit for a config file.`,
          'info',
        ),
      ],
      units: 0,
    };
  if (text.slice(0, 8192).includes('\u0000'))
    return { findings: [fileFinding('Not linted: this looks like a binary file.', 'info')], units: 0 };
  const format = formatOf(path, text);
  const { units, triton, problems } = readServingUnits(path, text, format);
  const context: LintContext = { path, text, units, triton, options: request };
  const severities = request.severities ?? {};
  const findings: Finding[] = [...problems];
  for (const rule of request.rules ?? RULES) {
    const level = severities[rule.id];
    if (level === 'off') continue;
    let ruleFindings: Finding[];
    try {
      ruleFindings = rule.check(context);
    } catch (error) {
      // A rule's bug must not hide the other rules' findings.
      ruleFindings = [
        {
          ruleId: rule.id,
          severity: 'info',
          message: `Rule ${rule.id} failed on this file: ${errorMessage(error)}`,
          span: { start: 0, end: 0 },
        },
      ];
    }
    findings.push(...ruleFindings.map((f) => (level ? { ...f, severity: level } : f)));
  }
  const clamp = (n: number) => Math.max(0, Math.min(text.length, n));
  const inside = findings.map((f) => ({
    ...f,
    span: { start: clamp(f.span.start), end: Math.max(clamp(f.span.start), clamp(f.span.end)) },
  }));
  const kept = applySuppressions(text, inside).sort(
    (a, b) => a.span.start - b.span.start || a.ruleId.localeCompare(b.ruleId),
  );
  return { findings: kept, units: units.length + (triton ? 1 : 0) };
}

/** Applies a fix's edits (non-overlapping) to the text. */
export function applyEdits(text: string, edits: { span: { start: number; end: number }; newText: string }[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, edit.span.start) + edit.newText + out.slice(edit.span.end);
  return out;
}
