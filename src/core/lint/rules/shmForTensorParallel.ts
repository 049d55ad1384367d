import type { Rule } from '../types.ts';
import { enginePlan, reservedGpus } from '../unitHelpers.ts';

/** NCCL between GPUs of one pod needs more /dev/shm than Kubernetes' 64 MiB default. */
export const shmForTensorParallel: Rule = {
  id: 'shm-for-tensor-parallel',
  severity: 'warning',
  docs: { title: 'Tensor parallelism without a memory-backed /dev/shm', page: 'shm-for-tensor-parallel.md' },
  check({ units }) {
    return units.flatMap((unit) => {
      if (unit.sharedMemory !== 'missing' || !unit.engine) return [];
      const plan = enginePlan(unit);
      const inPod = plan.perNode ?? reservedGpus(unit) ?? 1;
      if (inPod <= 1) return [];
      const reserved = reservedGpus(unit);
      const what =
        reserved !== undefined && reserved !== inPod
          ? `is configured for TP ${plan.tp ?? reserved}${plan.pp > 1 ? ` x PP ${plan.pp}` : ''} (${inPod} GPUs in the pod, ${reserved} reserved)`
          : `runs ${inPod} GPUs in one pod`;
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: unit.name.span,
          message: `"${unit.name.value}" ${what} but has no memory-backed /dev/shm: NCCL needs more than Kubernetes' 64 MiB default and fails or falls back to slow paths. Mount an emptyDir with medium: Memory at /dev/shm.`,
        },
      ];
    });
  },
};
