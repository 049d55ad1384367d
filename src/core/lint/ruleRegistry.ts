/** Every rule, in the order findings are reported. */
import { composeAllGpus } from './rules/composeAllGpus.ts';
import { gpuCountVsParallelism } from './rules/gpuCountVsParallelism.ts';
import { gpuMemoryUtilizationRange } from './rules/gpuMemoryUtilizationRange.ts';
import { gpuOverProvisioned } from './rules/gpuOverProvisioned.ts';
import { gpuRequestsWithoutLimits } from './rules/gpuRequestsWithoutLimits.ts';
import { maxModelLenTooLong } from './rules/maxModelLenTooLong.ts';
import { modelDoesNotFit } from './rules/modelDoesNotFit.ts';
import { rayFractionalGpus } from './rules/rayFractionalGpus.ts';
import { shmForTensorParallel } from './rules/shmForTensorParallel.ts';
import { sizingNotChecked } from './rules/sizingNotChecked.ts';
import { tpDividesAttentionHeads } from './rules/tpDividesAttentionHeads.ts';
import { tritonBatching } from './rules/tritonBatching.ts';
import type { Rule } from './types.ts';

export const RULES: readonly Rule[] = [
  gpuRequestsWithoutLimits,
  gpuCountVsParallelism,
  tpDividesAttentionHeads,
  modelDoesNotFit,
  maxModelLenTooLong,
  gpuOverProvisioned,
  gpuMemoryUtilizationRange,
  shmForTensorParallel,
  tritonBatching,
  rayFractionalGpus,
  composeAllGpus,
  sizingNotChecked,
];

/** Findings about the file itself (syntax, size), not from a rule. */
export const FILE_RULE = {
  id: 'file-not-linted',
  page: 'file-not-linted.md',
  title: 'File could not be linted',
} as const;
export const DUPLICATE_KEY_RULE = {
  id: 'duplicate-key',
  page: 'duplicate-key.md',
  title: 'Duplicate key in a YAML map',
} as const;
