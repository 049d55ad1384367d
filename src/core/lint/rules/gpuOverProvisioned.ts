import { estimateServingMemory } from '../../sizing/servingMemory.ts';
import { validTensorParallel } from '../../sizing/suggest.ts';
import { sizeUnit } from '../sizingLookup.ts';
import type { Rule, TextEdit } from '../types.ts';
import { hourly, reservedGpus, setGpuCount } from '../unitHelpers.ts';

/** Requests of max_model_len the smaller layout must still hold when --max-num-seqs is not set. */
export const MIN_FULL_LENGTH_REQUESTS = 4;

/** The model fits on fewer GPUs at the configured context and concurrency. */
export const gpuOverProvisioned: Rule = {
  id: 'gpu-over-provisioned',
  severity: 'warning',
  docs: { title: 'Over-provisioned: fits on fewer GPUs', page: 'gpu-over-provisioned.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const tp = unit.engine?.tensorParallel;
      const sizing = sizeUnit(unit, options);
      if (!tp || tp.value <= 1 || !sizing.ok || !sizing.estimate.fits) return [];
      const wanted = Math.min(
        sizing.estimate.maxConcurrency,
        unit.engine?.maxNumSeqs?.value ?? MIN_FULL_LENGTH_REQUESTS,
      );
      const smaller = validTensorParallel(sizing.model)
        .filter((t) => t < tp.value)
        .map((t) => ({ t, e: estimateServingMemory(sizing.model, sizing.gpu, { ...sizing.settings, tp: t }) }))
        .find(({ e }) => e.fits && e.maxConcurrency >= wanted);
      if (!smaller) return [];
      const pp = sizing.settings.pp;
      const saved = (tp.value - smaller.t) * pp;
      const edits: TextEdit[] = [{ span: tp.span, newText: String(smaller.t) }];
      if (reservedGpus(unit) === tp.value * pp) edits.push(...setGpuCount(unit, smaller.t * pp));
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: tp.span,
          message: `${sizing.model.id} fits on ${smaller.t * pp} ${sizing.gpu.name} GPU(s) instead of ${tp.value * pp}: at TP=${smaller.t} the KV cache holds ${smaller.e.kvCacheTokens} tokens = ${smaller.e.maxConcurrency.toFixed(1)} requests of ${sizing.settings.maxModelLen} (at least ${wanted.toFixed(0)} needed). ${saved} GPU(s) are extra${hourly(sizing.gpu, saved)}; keep TP=${tp.value} only for its lower latency.`,
          fix: { title: `Use tensor parallel ${smaller.t}`, edits },
        },
      ];
    });
  },
};
