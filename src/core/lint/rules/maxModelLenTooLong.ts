import { GIB } from '../../sizing/servingMemory.ts';
import { sizeUnit } from '../sizingLookup.ts';
import type { Rule } from '../types.ts';

/** max_model_len beyond the model's positions, or beyond what the KV cache holds (vLLM refuses to start). */
export const maxModelLenTooLong: Rule = {
  id: 'max-model-len-too-long',
  severity: 'error',
  docs: { title: 'max_model_len beyond the KV cache or the model', page: 'max-model-len-too-long.md' },
  check({ units, options }) {
    return units.flatMap((unit) => {
      const engine = unit.engine;
      const model = engine?.model ? options.findModel(engine.model.value) : undefined;
      if (!engine || !model) return [];
      const explicit = engine.maxModelLen;
      if (explicit && model.maxPositionEmbeddings && explicit.value > model.maxPositionEmbeddings) {
        return [
          {
            ruleId: this.id,
            severity: this.severity,
            span: explicit.span,
            message: `max_model_len ${explicit.value} is beyond ${model.id}'s max_position_embeddings (${model.maxPositionEmbeddings}): vLLM refuses it unless overridden, and quality degrades past the trained length.`,
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
        sizing.estimate.kvCacheBytes <= 0 ||
        sizing.estimate.kvCacheTokens >= sizing.settings.maxModelLen
      )
        return [];
      const e = sizing.estimate;
      const fitting = Math.floor(e.kvCacheTokens / 256) * 256 || e.kvCacheTokens;
      const message = `${explicit ? `max_model_len ${explicit.value}` : `vLLM's default max_model_len (the model's ${sizing.settings.maxModelLen} positions)`} needs ${((e.kvBytesPerToken * sizing.settings.maxModelLen) / GIB).toFixed(2)} GiB of KV cache for one request, but ${(e.kvCacheBytes / GIB).toFixed(2)} GiB (${e.kvCacheTokens} tokens) are left on ${sizing.gpu.name} at TP=${e.settings.tp}: vLLM refuses to start.`;
      return [
        {
          ruleId: this.id,
          severity: this.severity,
          span: explicit?.span ?? engine.model!.span,
          message,
          fix: explicit
            ? { title: `Use max_model_len ${fitting}`, edits: [{ span: explicit.span, newText: String(fitting) }] }
            : undefined,
        },
      ];
    });
  },
};
