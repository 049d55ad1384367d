import { sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';
import { hourly, parallelism, reservedGpus, setGpuCount } from '../unitHelpers.ts';

/** vLLM/TGI use exactly TP x PP GPUs per replica: more sit idle, fewer fail at start-up. */
export const gpuCountVsParallelism: Rule = {
  id: 'gpu-count-vs-parallelism',
  severity: 'error',
  docs: { title: 'GPUs allocated vs tensor x pipeline parallelism', page: 'gpu-count-vs-parallelism.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const reserved = reservedGpus(unit);
      if (!unit.engine || reserved === undefined || unit.gpus?.kind === 'ray') return [];
      const needed = parallelism(unit);
      const where = unit.gpus?.limit?.span ?? unit.gpus?.request?.span;
      if (!where || reserved === needed) return [];
      const sizing = sizeUnit(unit, options);
      const gpu = sizing.ok ? sizing.gpu : undefined;
      const layout = `tensor parallel ${unit.engine.tensorParallel?.value ?? 1} x pipeline parallel ${unit.engine.pipelineParallel?.value ?? 1}`;
      if (reserved > needed) {
        return [
          {
            ruleId: this.id,
            severity: 'warning' as const,
            span: where,
            message: `"${unit.name.value}" reserves ${reserved} GPUs but ${unit.engine.engine === 'vllm' ? 'vLLM' : 'TGI'} runs ${layout} = ${needed}: ${reserved - needed} GPU(s) sit idle${hourly(gpu, reserved - needed)}.`,
            fix: { title: `Reserve ${needed} GPU(s)`, edits: setGpuCount(unit, needed) },
          },
        ];
      }
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: where,
          message: `"${unit.name.value}" reserves ${reserved} GPU(s) but ${layout} needs ${needed}: the engine fails at start-up.`,
          fix: { title: `Reserve ${needed} GPUs`, edits: setGpuCount(unit, needed) },
        },
      ];
    });
  },
};
