/**
 * The linter's entry: text in, findings out. It recognises the format from the file name and
 * content, reads every serving unit with positions, runs the rules, applies suppressions.
 * It never executes or fetches anything, so it runs in Restricted Mode too.
 */
import type { Node } from 'yaml';
import { composeUnits, looksLikeCompose } from './compose.ts';
import { kserveFile, kubernetesUnits, looksLikeKubernetes } from './kubernetes.ts';
import { parsePbtxt, tritonConfig } from './pbtxt.ts';
import { looksLikeRayServe, rayServeUnits, rayServiceUnits } from './rayServe.ts';
import { DUPLICATE_KEY_RULE, FILE_RULE, RULES } from './ruleRegistry.ts';
import { scriptUnits } from './shellScript.ts';
import { applySuppressions } from './suppressions.ts';
import type { Finding, LintContext, LintOptions, Rule, ServingUnit, Severity, TritonConfig } from './types.ts';
import { summarizeUnit, type UnitSummary } from './unitSummary.ts';
import { vllmConfigUnits } from './vllmConfig.ts';
import { child, duplicateKeys, parseYaml, str } from './yamlSource.ts';
import { errorMessage } from '../errors.ts';

/** Larger files get one info finding and are skipped. */
export const MAX_LINT_BYTES = 2 * 1024 * 1024;

export type FileFormat = 'yaml' | 'pbtxt' | 'script' | 'unknown';

export function formatOf(path: string, text: string): FileFormat {
  const name = path.split(/[\\/]/).pop() ?? path;
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  if (/\.pbtxt$/i.test(name) || name === 'config.pbtxt') return 'pbtxt';
  if (
    /\.(sh|bash|zsh)$|^Dockerfile|\.dockerfile$|^(GNU)?makefile$|\.mk$|\.(md|markdown)$/i.test(name) ||
    text.startsWith('#!')
  )
    return 'script';
  return 'unknown';
}

export interface LintResult {
  findings: Finding[];
  /** How many serving units were found: 0 means the file is not a serving config. */
  units: number;
  /** What was understood of each unit (engine, model, layout, GPU type and its source), when asked for. */
  understood: UnitSummary[];
}

export interface LintRequest extends LintOptions {
  /** Per-rule severities ("off" removes the rule). */
  severities?: Record<string, Severity | 'off'>;
  rules?: readonly Rule[];
  /** Fill `understood` (`--format json`); the editor's as-you-type lint does not pay for it. */
  summarize?: boolean;
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
    // A syntax error is one finding, where the parser first saw it: what it recovered after that
    // (keys glued to `---`, half-read maps) is not the file the author wrote, so nothing is read from it.
    // A Helm (or other Go) template is not YAML until rendered: one info says how to lint it instead.
    const template = parsed.problems.length > 0 && /\{\{-?\s*[.$\w]/.test(text);
    const problems = parsed.problems.slice(0, 1).map((p): Finding =>
      template
        ? {
            ruleId: FILE_RULE.id,
            severity: 'info',
            message: `Not linted as YAML: this is a template ({{ ... }}); lint its rendered output (helm template ... | gpu-workbench lint -).`,
            span: p.span,
          }
        : { ruleId: FILE_RULE.id, severity: p.severity ?? 'error', message: `YAML: ${p.message}`, span: p.span },
    );
    const documents = parsed.documents.filter((doc) => doc.errors.length === 0);
    for (const doc of documents) {
      problems.push(
        ...duplicateKeys(doc.contents).map((p): Finding => ({
          ruleId: DUPLICATE_KEY_RULE.id,
          severity: 'error',
          message: p.message,
          span: p.span,
        })),
      );
    }
    // Runtimes and their users across the file, computed once (not once per document of a long Helm render).
    const kserve = kserveFile(documents);
    const units = documents.flatMap((doc) => {
      if (str(child(doc.contents, 'kind'))?.value === 'RayService') return rayServiceUnits(doc.contents as Node, text);
      if (looksLikeKubernetes(doc)) return kubernetesUnits(doc, text, kserve);
      if (looksLikeCompose(doc)) return composeUnits(doc, text);
      if (looksLikeRayServe(doc)) return rayServeUnits(doc);
      return vllmConfigUnits(doc);
    });
    return { units, problems };
  }
  const name = path.split(/[\\/]/).pop() ?? path;
  return {
    units: scriptUnits(text, /\.(md|markdown)$/i.test(name), /^(GNU)?makefile$|\.mk$/i.test(name)),
    problems: [],
  };
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
      understood: [],
    };
  if (text.slice(0, 8192).includes('\u0000'))
    return { findings: [fileFinding('Not linted: this looks like a binary file.', 'info')], units: 0, understood: [] };
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
  return {
    findings: kept,
    units: units.length + (triton ? 1 : 0),
    understood: request.summarize ? units.map((u) => summarizeUnit(u, request)) : [],
  };
}

/** Applies a fix's edits (non-overlapping) to the text. */
export function applyEdits(text: string, edits: { span: { start: number; end: number }; newText: string }[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, edit.span.start) + edit.newText + out.slice(edit.span.end);
  return out;
}
