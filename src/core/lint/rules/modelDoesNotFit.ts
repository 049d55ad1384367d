import { fitAdvice } from '../../sizing/advice.ts';
import { GIB } from '../../sizing/servingMemory.ts';
import { sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';

/** Weights + activation peak + runtime memory exceed gpu_memory_utilization x the GPU. */
export const modelDoesNotFit: Rule = {
  id: 'model-does-not-fit',
  severity: 'error',
  docs: { title: 'The model does not fit the GPU', page: 'model-does-not-fit.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const sizing = sizeUnit(unit, options);
      if (!sizing.ok || sizing.estimate.kvCacheBytes > 0 || !unit.engine?.model) return [];
      const e = sizing.estimate;
      const gib = (b: number) => `${(b / GIB).toFixed(1)} GiB`;
      const advice = fitAdvice(sizing.model, sizing.gpu, e).filter((a) => !a.startsWith('Set max_model_len'));
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: unit.engine.model.span,
          message:
            `${sizing.model.id} does not fit ${sizing.gpu.name}${sizing.gpuFromDefault ? ' (the default GPU)' : ''} at TP=${e.settings.tp}: weights ${gib(e.weightsBytes)} + activation peak ${gib(e.activationBytes)} + runtime ${gib(e.nonTorchBytes)} > ${gib(e.usableBytes)} usable (gpu_memory_utilization ${e.settings.gpuMemoryUtilization}). ${advice[0] ?? ''}`.trim(),
        },
      ];
    });
  },
};
