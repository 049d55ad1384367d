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
      const tp = flagName(engineName, 'tensorParallel');
      const utilization = flagName(engineName, 'gpuMemoryUtilization');
      const what = `${sizing.model.id}${sizing.settings.weightFormat ? ` (${sizing.settings.weightFormat})` : ''} does not fit ${sizing.gpu.name}${defaultNote(sizing.gpuFromDefault)} at ${tp} ${e.settings.tp}`;
      const message =
        engineName === 'sglang'
          ? // sglangMemory.ts: the static share (--mem-fraction-static x memory free at start) must hold the weights.
            `${what}: weights ${gib(e.weightsBytes)} > the static share ${gib(e.usableBytes)} (${utilization} ${e.settings.gpuMemoryUtilization}): SGLang stops with "Not enough memory". Use a larger ${tp}, or a GPU with more memory.`
          : `${what}${e.settings.pp > 1 ? ` x ${flagName(engineName, 'pipelineParallel')} ${e.settings.pp}` : ''}: weights ${gib(e.weightsBytes)} + activation peak ${gib(e.activationBytes)} + non-torch memory ${gib(e.nonTorchBytes)} > ${gib(e.usableBytes)} usable (${utilization} ${e.settings.gpuMemoryUtilization}). ${advice[0] ?? ''}`.trim();
      return [{ ruleId: this.id, severity: this.severity, span: unit.engine.model.span, message }];
    });
  },
};
