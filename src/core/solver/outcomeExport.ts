/**
 * A solved plan (placement or provisioned fleet) as the text of one export format: the one function
 * behind the workbench's "Open as …" buttons and `gpu-workbench plan --export`.
 */
import { exportKubernetes, exportVllmCommands, planJson } from './planExport.ts';
import {
  exportProvisioningKubernetes,
  exportProvisioningVllm,
  provisioningJson,
  type ExportFormat,
} from './provisioningExport.ts';
import type { PlanOutcome } from './solvePlan.ts';

export type { ExportFormat };
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'kubernetes', 'vllm'];

export const isExportFormat = (value: unknown): value is ExportFormat =>
  typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);

/** True when the outcome has something to run: a placement, or a fleet with at least one choice. */
export function isExportable(outcome: PlanOutcome): boolean {
  return outcome.kind === 'packing' ? !!outcome.result.placement : outcome.result.choices.length > 0;
}

/** The outcome in `format` (call only when `isExportable`). JSON ends with a newline like the others. */
export function exportOutcome(outcome: PlanOutcome, format: ExportFormat): string {
  if (outcome.kind === 'packing') {
    const { problem, result } = outcome;
    if (format === 'json') return `${JSON.stringify(planJson(result), null, 2)}\n`;
    return format === 'kubernetes' ? exportKubernetes(problem, result) : exportVllmCommands(problem, result);
  }
  const { problem, result } = outcome;
  if (format === 'json') return `${JSON.stringify(provisioningJson(result), null, 2)}\n`;
  return format === 'kubernetes'
    ? exportProvisioningKubernetes(problem, result)
    : exportProvisioningVllm(problem, result);
}

/** Every format of an exportable outcome, or undefined: what the workbench keeps beside a plan. */
export function exportAll(outcome: PlanOutcome): Record<ExportFormat, string> | undefined {
  if (!isExportable(outcome)) return undefined;
  return {
    json: exportOutcome(outcome, 'json'),
    kubernetes: exportOutcome(outcome, 'kubernetes'),
    vllm: exportOutcome(outcome, 'vllm'),
  };
}
