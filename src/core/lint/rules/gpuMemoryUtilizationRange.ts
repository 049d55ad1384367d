import { flagName } from '../engineArgs.ts';
import type { Rule } from '../types.ts';

/** gpu_memory_utilization outside 0.5-0.95: wasted memory below, out-of-memory risk above. */
export const gpuMemoryUtilizationRange: Rule = {
  id: 'gpu-memory-utilization-range',
  severity: 'warning',
  docs: { title: 'gpu_memory_utilization outside a sane range', page: 'gpu-memory-utilization-range.md' },
  check({ units }) {
    return units.flatMap((unit) => {
      const u = unit.engine?.gpuMemoryUtilization;
      if (!u) return [];
      const fix = { title: 'Use 0.9', edits: [{ span: u.span, newText: '0.9' }] };
      const flag = flagName(unit.engine!.engine, 'gpuMemoryUtilization');
      if (u.value <= 0 || u.value > 1)
        return [
          {
            ruleId: this.id,
            severity: 'error' as const,
            span: u.span,
            message: `${flag} ${u.value} is not a fraction of the GPU (0 < value <= 1): the engine refuses it.`,
            fix,
          },
        ];
      if (u.value < 0.5)
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: u.span,
            message: `${flag} ${u.value} leaves ${Math.round((1 - u.value) * 100)} % of the GPU unused by the engine: less KV cache, fewer concurrent requests. Use 0.85-0.95 unless another process shares the GPU.`,
            fix,
          },
        ];
      // TGI's own default is 1.0 (--cuda-memory-fraction): the whole GPU is its normal setting.
      if (u.value > 0.95 && unit.engine!.engine !== 'tgi')
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: u.span,
            message: `${flag} ${u.value} leaves under 5 % for CUDA graphs, NCCL and fragmentation: expect out-of-memory errors under load.`,
            fix,
          },
        ];
      return [];
    });
  },
};
