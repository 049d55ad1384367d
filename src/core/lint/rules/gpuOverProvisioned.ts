import { validTensorParallel } from '../../sizing/suggest.ts';
import { flagName } from '../engineArgs.ts';
import { defaultNote, estimateFor, sizeUnit } from '../sizingLookup.ts';
import type { Rule, TextEdit } from '../types.ts';
import {
  enginePlan,
  plural,
  reservedGpus,
  setGpuCount,
  spreadsOverRanks,
  thousands,
  wasteText,
} from '../unitHelpers.ts';

/**
 * Requests of max_model_len the smaller layout must still hold at once when --max-num-seqs is not
 * set: the linter's own floor (not an engine default), so that a layout with room for only one or
 * two long requests at a time is never proposed as a saving.
 */
export const MIN_FULL_LENGTH_REQUESTS = 4;

/** What the smaller layout must hold at once, and why, in the user's words. */
function wantedWords(now: number, maxNumSeqs: number | undefined, flag: string, tp: number): string {
  const asked = maxNumSeqs ?? MIN_FULL_LENGTH_REQUESTS;
  if (now < asked) return `as many as ${flag} ${tp} holds now: ${now.toFixed(1)}`;
  if (maxNumSeqs !== undefined) return `room for the ${plural(maxNumSeqs, 'request')} --max-num-seqs lets run at once`;
  return `a smaller layout must hold at least ${MIN_FULL_LENGTH_REQUESTS} at once: the linter's floor when --max-num-seqs is not set`;
}

/** The model fits on fewer GPUs at the configured context and concurrency. */
export const gpuOverProvisioned: Rule = {
  id: 'gpu-over-provisioned',
  severity: 'warning',
  docs: { title: 'Over-provisioned: fits on fewer GPUs', page: 'gpu-over-provisioned.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const tp = unit.engine?.tensorParallel;
      const e = unit.engine;
      // An 8-GPU pod at DP 8 x TP 1 is not over-provisioned (spreadsOverRanks).
      if (!tp || tp.value <= 1 || !e || spreadsOverRanks(e)) return [];
      const sizing = sizeUnit(unit, options);
      // A TP that does not divide the heads is tp-divides-attention-heads' finding, not a smaller layout's.
      if (!sizing.ok || !sizing.estimate.fits || sizing.model.numAttentionHeads % tp.value !== 0) return [];
      const wanted = Math.min(sizing.estimate.maxConcurrency, e.maxNumSeqs?.value ?? MIN_FULL_LENGTH_REQUESTS);
      // The smallest TP that holds the wanted requests: estimated one at a time, stopping at the first.
      let smaller: { t: number; e: ReturnType<typeof estimateFor> } | undefined;
      for (const t of validTensorParallel(sizing.model)) {
        if (t >= tp.value) break;
        const estimate = estimateFor(sizing.model, sizing.gpu, { ...sizing.settings, tp: t });
        if (estimate.fits && estimate.maxConcurrency >= wanted) {
          smaller = { t, e: estimate };
          break;
        }
      }
      if (!smaller) return [];
      const { pp, dp } = enginePlan(unit);
      const per = pp * dp;
      const reserved = reservedGpus(unit);
      if (reserved !== undefined && reserved < tp.value * per) return []; // gpu-count-vs-parallelism's error
      const saved = (tp.value - smaller.t) * per;
      const edits: TextEdit[] = [{ span: tp.span, newText: String(smaller.t) }];
      if (reserved === tp.value * per && !unit.gpus?.shared) edits.push(...setGpuCount(unit, smaller.t * per));
      const flag = flagName(e.engine, 'tensorParallel');
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: tp.span,
          message: `${sizing.model.id} fits on ${plural(smaller.t * per, `${sizing.gpu.name} GPU`)}${defaultNote(sizing.gpuFromDefault)} instead of ${tp.value * per}: at ${flag} ${smaller.t} the KV cache holds ${thousands(smaller.e.kvCacheTokens)} tokens = ${smaller.e.maxConcurrency.toFixed(1)} full-length requests of ${thousands(sizing.settings.maxModelLen)} tokens (${wantedWords(sizing.estimate.maxConcurrency, e.maxNumSeqs?.value, flag, tp.value)}). ${wasteText(saved, unit.replicas, sizing.gpu)}; keep ${flag} ${tp.value} only for its lower latency.`,
          fix: { title: `Use ${flag} ${smaller.t}`, edits },
          waste: {
            gpus: saved * Math.max(1, unit.replicas ?? 1),
            why: `it fits on ${plural(smaller.t * per, 'GPU')} instead of ${tp.value * per}${unit.replicas && unit.replicas > 1 ? ' per replica' : ''}`,
          },
        },
      ];
    });
  },
};
