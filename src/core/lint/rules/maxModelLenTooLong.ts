import { ENGINE_LABEL, flagName } from '../engineArgs.ts';
import { GIB } from '../../sizing/servingMemory.ts';
import { defaultNote, exactModel, modelOf, sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';
import { thousands } from '../unitHelpers.ts';

/** max_model_len beyond the model's positions, or beyond what the KV cache holds (the engine refuses to start). */
export const maxModelLenTooLong: Rule = {
  id: 'max-model-len-too-long',
  severity: 'error',
  docs: { title: 'max_model_len beyond the KV cache or the model', page: 'max-model-len-too-long.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const engine = unit.engine;
      const model = engine?.model ? modelOf(engine.model.value, options) : undefined;
      if (!engine || !model) return [];
      const flag = flagName(engine.engine, 'maxModelLen');
      const label = ENGINE_LABEL[engine.engine];
      const explicit = engine.maxModelLen;
      // A relative of a catalog model (a -2507 refresh, a long-context variant) may have more positions.
      if (
        explicit &&
        model.maxPositionEmbeddings &&
        explicit.value > model.maxPositionEmbeddings &&
        exactModel(unit, model)
      ) {
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: explicit.span,
            message: `${flag} ${thousands(explicit.value)} is beyond ${model.id}'s max_position_embeddings (${thousands(model.maxPositionEmbeddings)}): ${label} refuses it unless overridden, and quality degrades past the trained length.`,
            fix: {
              title: `Use ${model.maxPositionEmbeddings}`,
              edits: [{ span: explicit.span, newText: String(model.maxPositionEmbeddings) }],
            },
          },
        ];
      }
      const sizing = sizeUnit(unit, options);
      if (
        !sizing.ok ||
        (!explicit && !exactModel(unit, model)) ||
        sizing.estimate.kvCacheBytes <= 0 ||
        sizing.estimate.kvCacheTokens >= sizing.settings.maxModelLen
      )
        return [];
      const e = sizing.estimate;
      const fitting = Math.floor(e.kvCacheTokens / 256) * 256 || e.kvCacheTokens;
      if (engine.engine === 'sglang') {
        // SGLang starts anyway and caps requests at its KV pool (sglang managers/scheduler.py:
        // max_req_input_len = min(context_len - 1, max_total_num_tokens - 1)): only an explicit
        // --context-length it cannot honour is worth saying.
        if (!explicit) return [];
        return [
          {
            ruleId: this.id,
            severity: 'warning' as const,
            span: explicit.span,
            message: `${flag} ${thousands(explicit.value)} is more than the ${thousands(e.kvCacheTokens)} tokens SGLang's KV pool holds on ${sizing.gpu.name}${defaultNote(sizing.gpuFromDefault)} at ${flagName(engine.engine, 'tensorParallel')} ${e.settings.tp}: SGLang starts, but caps every request at ${thousands(Math.max(0, e.kvCacheTokens - 1))} tokens.`,
            fix: { title: `Use ${flag} ${fitting}`, edits: [{ span: explicit.span, newText: String(fitting) }] },
          },
        ];
      }
      const message = `${explicit ? `${flag} ${thousands(explicit.value)}` : `${label}'s default ${flag} (the model's ${thousands(sizing.settings.maxModelLen)} positions)`} needs ${((e.kvBytesPerToken * sizing.settings.maxModelLen) / GIB).toFixed(2)} GiB of KV cache for one request, but ${(e.kvCacheBytes / GIB).toFixed(2)} GiB (${thousands(e.kvCacheTokens)} tokens) are left on ${sizing.gpu.name}${defaultNote(sizing.gpuFromDefault)} at ${flagName(engine.engine, 'tensorParallel')} ${e.settings.tp}: ${label} refuses to start.`;
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: explicit?.span ?? engine.model!.span,
          message,
          fix: explicit
            ? { title: `Use ${flag} ${fitting}`, edits: [{ span: explicit.span, newText: String(fitting) }] }
            : undefined,
        },
      ];
    });
  },
};
