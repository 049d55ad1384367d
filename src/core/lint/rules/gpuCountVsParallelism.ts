import { ENGINE_LABEL, flagName } from '../engineArgs.ts';
import { defaultNote, unitGpu } from '../sizingLookup.ts';
import type { Finding, Rule, ServingUnit } from '../types.ts';
import { enginePlan, plural, reservedGpus, setGpuCount, wasteText } from '../unitHelpers.ts';

/** The engine's layout in its own flags: "--tensor-parallel-size 8 x --pipeline-parallel-size 2". */
function layoutText(unit: ServingUnit): string {
  const e = unit.engine!;
  const plan = enginePlan(unit);
  const parts = [`${flagName(e.engine, 'tensorParallel')} ${plan.tp ?? 1}`];
  if (plan.pp > 1) parts.push(`${flagName(e.engine, 'pipelineParallel')} ${plan.pp}`);
  if (plan.dp > 1) parts.push(`${flagName(e.engine, 'dataParallel')} ${plan.dp}`);
  return parts.join(' x ');
}

/**
 * vLLM/TGI/SGLang use exactly TP x PP (x DP) GPUs per engine: more sit idle, fewer fail at start-up.
 * A multi-pod group (LeaderWorkerSet `size`, LLMInferenceService workers) counts all its pods' GPUs;
 * `--nnodes` and `--data-parallel-size-local` split the engine over nodes.
 */
export const gpuCountVsParallelism: Rule = {
  id: 'gpu-count-vs-parallelism',
  severity: 'error',
  docs: { title: 'GPUs allocated vs tensor x pipeline parallelism', page: 'gpu-count-vs-parallelism.md' },
  check({ units, options }) {
    return units.flatMap((unit): Finding[] => {
      const engine = unit.engine;
      if (!engine || unit.gpus?.kind === 'ray') return [];
      const plan = enginePlan(unit);
      const perPod = reservedGpus(unit);
      // A count merged in from an anchor is reported at the unit, and not edited (other units share it).
      const shared = unit.gpus?.shared === true;
      const where = shared ? unit.name.span : (unit.gpus?.limit?.span ?? unit.gpus?.request?.span);
      if (plan.total === undefined || perPod === undefined || !where) return [];
      const group = unit.podsPerGroup && unit.podsPerGroup > 1 ? unit.groupGpus : undefined;
      const reserved = group ?? perPod;
      const needed = group !== undefined ? plan.total : (plan.perNode ?? plan.total);
      if (reserved === needed) return [];
      const found = unitGpu(unit, options);
      const gpu = found.ok ? found.gpu : undefined;
      const note = found.ok ? defaultNote(found.fromDefault) : '';
      const label = ENGINE_LABEL[engine.engine];
      const scope =
        group !== undefined
          ? `its group of ${plural(unit.podsPerGroup!, 'pod')} reserves ${plural(reserved, 'GPU')}`
          : plan.nodes > 1
            ? `each of its ${plan.nodes} nodes reserves ${plural(reserved, 'GPU')}`
            : `reserves ${plural(reserved, 'GPU')}`;
      const layout = `${layoutText(unit)} = ${plural(plan.total, 'GPU')}${plan.nodes > 1 && group === undefined ? `, ${needed} per node` : ''}`;
      if (reserved > needed) {
        const extra = reserved - needed;
        const perPodFix = group !== undefined ? needed / unit.podsPerGroup! : needed;
        return [
          {
            ruleId: this.id,
            severity: 'warning',
            span: where,
            message: `"${unit.name.value}" ${scope} but ${label} runs ${layout}: ${wasteText(extra, unit.replicas, gpu)}${note}.`,
            waste: { gpus: extra * Math.max(1, unit.replicas ?? 1), why: `${scope} but ${label} runs ${layout}` },
            fix:
              Number.isInteger(perPodFix) && !shared
                ? { title: `Reserve ${plural(perPodFix, 'GPU')}`, edits: setGpuCount(unit, perPodFix) }
                : undefined,
          },
        ];
      }
      // Fewer GPUs here than the engine needs: with Ray (or a Ray head) the rest may join from nodes this file does not show.
      if (plan.elsewhere && group === undefined) return [];
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: where,
          message: `"${unit.name.value}" ${scope} but ${label} runs ${layout}: the engine fails at start-up.`,
          fix:
            group === undefined && !shared
              ? { title: `Reserve ${plural(needed, 'GPU')}`, edits: setGpuCount(unit, needed) }
              : undefined,
        },
      ];
    });
  },
};
