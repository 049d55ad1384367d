import type { Rule } from '../types.ts';
import { parallelism } from '../unitHelpers.ts';

/** NCCL between GPUs of one pod needs more /dev/shm than Kubernetes' 64 MiB default. */
export const shmForTensorParallel: Rule = {
  id: 'shm-for-tensor-parallel',
  severity: 'warning',
  docs: { title: 'Tensor parallelism without a memory-backed /dev/shm', page: 'shm-for-tensor-parallel.md' },
  check({ units }) {
    return units.flatMap((unit) => {
      if (unit.sharedMemory !== 'missing' || !unit.engine || parallelism(unit) <= 1) return [];
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: unit.name.span,
          message: `"${unit.name.value}" runs ${parallelism(unit)} GPUs in one pod but has no memory-backed /dev/shm: NCCL needs more than Kubernetes' 64 MiB default and fails or falls back to slow paths. Mount an emptyDir with medium: Memory at /dev/shm.`,
        },
      ];
    });
  },
};
