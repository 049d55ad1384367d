import { fitAdvice } from '../../sizing/advice.ts';
import { GIB } from '../../sizing/servingMemory.ts';
import { flagName } from '../engineArgs.ts';
import { defaultNote, sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';

/** Weights + activation peak + non-torch memory exceed gpu_memory_utilization x the GPU. */
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
      const engineName = unit.engine.engine;
      if (engineName === 'sglang')
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: unit.engine.model.span,
            // sglangMemory.ts: the static share (--mem-fraction-static x memory free at start) must hold the weights.
            message: `${sizing.model.id}${sizing.settings.weightFormat ? ` (${sizing.settings.weightFormat})` : ''} does not fit ${sizing.gpu.name}${defaultNote(sizing.gpuFromDefault)} at --tp-size ${e.settings.tp}: weights ${gib(e.weightsBytes)} > the static share ${gib(e.usableBytes)} (--mem-fraction-static ${e.settings.gpuMemoryUtilization}): SGLang stops with "Not enough memory". Use a larger --tp-size, or a GPU with more memory.`,
          },
        ];
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: unit.engine.model.span,
          message:
            `${sizing.model.id}${sizing.settings.weightFormat ? ` (${sizing.settings.weightFormat})` : ''} does not fit ${sizing.gpu.name}${defaultNote(sizing.gpuFromDefault)} at ${flagName(unit.engine.engine, 'tensorParallel')} ${e.settings.tp}${e.settings.pp > 1 ? ` x ${flagName(unit.engine.engine, 'pipelineParallel')} ${e.settings.pp}` : ''}: weights ${gib(e.weightsBytes)} + activation peak ${gib(e.activationBytes)} + non-torch memory ${gib(e.nonTorchBytes)} > ${gib(e.usableBytes)} usable (${flagName(unit.engine.engine, 'gpuMemoryUtilization')} ${e.settings.gpuMemoryUtilization}). ${advice[0] ?? ''}`.trim(),
        },
      ];
    });
  },
};
