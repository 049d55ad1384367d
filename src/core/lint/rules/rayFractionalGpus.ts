import type { Finding, Rule } from '../types.ts';

/** Ray Serve: fractional num_gpus that over-commit the GPU, or num_gpus that do not match the engine's parallelism. */
export const rayFractionalGpus: Rule = {
  id: 'ray-fractional-gpus',
  severity: 'error',
  docs: { title: 'Ray Serve num_gpus vs the engine', page: 'ray-fractional-gpus.md' },
  check({ units }) {
    return units.flatMap((unit): Finding[] => {
      const share = unit.gpus?.kind === 'ray' ? unit.gpus.fractional : undefined;
      if (!share || !unit.engine) return [];
      const utilization = unit.engine.gpuMemoryUtilization?.value ?? 0.9;
      const tp = (unit.engine.tensorParallel?.value ?? 1) * (unit.engine.pipelineParallel?.value ?? 1);
      if (share.value < 1 && utilization > share.value) {
        const perGpu = Math.floor(1 / share.value);
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: share.span,
            message: `num_gpus ${share.value} lets Ray place ${perGpu} replicas on one GPU, but each vLLM engine takes gpu_memory_utilization ${utilization} of it: ${perGpu} x ${utilization} > 1, the second replica runs out of memory. Use num_gpus 1, or gpu_memory_utilization <= ${share.value}.`,
            fix: { title: 'Use num_gpus 1', edits: [{ span: share.span, newText: '1' }] },
          },
        ];
      }
      if (share.value >= 1 && tp > 1 && share.value !== tp) {
        return [
          {
            ruleId: this.id,
            severity: 'warning' as const,
            span: share.span,
            message: `num_gpus ${share.value} but the engine runs on ${tp} GPUs (tensor x pipeline parallel): Ray reserves ${share.value > tp ? 'GPUs it never uses' : 'fewer GPUs than the engine starts workers on'}.`,
          },
        ];
      }
      return [];
    });
  },
};
