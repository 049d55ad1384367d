/**
 * Memory per GPU for training and fine-tuning: full (mixed-precision AdamW), LoRA and QLoRA,
 * with data/tensor/pipeline parallelism and ZeRO 1/2/3 sharding of the model states.
 * Model states follow the ZeRO paper (Rajbhandari et al., 2020): 2 B weights + 2 B gradients +
 * 12 B optimizer (fp32 master copy, Adam m and v) per trained parameter. Activations follow
 * Korthikanti et al., 2022 ("Reducing Activation Recomputation in Large Transformer Models").
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import { countParameters } from './parameters.ts';
import { GIB } from './servingMemory.ts';

export type TrainingMethod = 'full' | 'lora' | 'qlora';

export interface TrainingSettings {
  method: TrainingMethod;
  zeroStage: 0 | 1 | 2 | 3;
  dp: number;
  tp: number;
  pp: number;
  microBatch: number;
  sequenceLength: number;
  /** Full activation recomputation (gradient checkpointing). */
  recompute: boolean;
  /** FlashAttention: no s x s attention matrix is stored. */
  flashAttention: boolean;
  loraRank: number;
}

export interface TrainingEstimate {
  weightsBytes: number;
  gradientsBytes: number;
  optimizerBytes: number;
  activationsBytes: number;
  logitsBytes: number;
  totalBytes: number;
  trainableParameters: number;
  explanation: string[];
}

/** LoRA adapters on every linear layer of attention and MLP: r x (in + out) per matrix. */
export function loraParameters(a: ModelArchitecture, rank: number): number {
  const h = a.hiddenSize;
  const q = a.numAttentionHeads * a.headDim;
  const kv = a.numKeyValueHeads * a.headDim;
  const attention = rank * (h + q) + 2 * rank * (h + kv) + rank * (q + h);
  const mlpWidth = a.moe ? a.moe.expertIntermediateSize * (a.moe.numExperts + a.moe.sharedExperts) : a.intermediateSize;
  const mlp = 3 * rank * (h + mlpWidth);
  return a.numLayers * (attention + mlp);
}

export function estimateTrainingMemory(a: ModelArchitecture, s: TrainingSettings): TrainingEstimate {
  const params = countParameters(a);
  const modelShards = s.tp * s.pp;
  const zero = (stage: number) => (s.zeroStage >= stage ? s.dp : 1);
  const explanation: string[] = [];
  let weightsBytes: number;
  let trainable: number;
  if (s.method === 'full') {
    trainable = params.total;
    weightsBytes = (2 * params.total) / modelShards / zero(3);
    explanation.push(
      `Full fine-tuning: all ${(params.total / 1e9).toFixed(2)}B parameters train; bf16 weights 2 B each / (TP ${s.tp} x PP ${s.pp})${s.zeroStage >= 3 ? ` / ZeRO-3 over DP ${s.dp}` : ''}.`,
    );
  } else {
    trainable = loraParameters(a, s.loraRank);
    // QLoRA: 4-bit NormalFloat with double quantization, ~0.127 bits of constants per weight (Dettmers et al., 2023).
    const baseBytesPerWeight = s.method === 'qlora' ? 0.5 + 0.127 / 8 : 2;
    const frozen = params.attention + params.denseMlp + params.experts;
    const base = frozen * baseBytesPerWeight + (params.total - frozen) * 2;
    weightsBytes = (base + 2 * trainable) / modelShards / zero(3);
    explanation.push(
      `${s.method === 'qlora' ? 'QLoRA' : 'LoRA'} rank ${s.loraRank} on every attention and MLP projection: ${(trainable / 1e6).toFixed(1)}M trainable parameters; frozen base in ${s.method === 'qlora' ? '4-bit NF4 (0.52 B/weight)' : 'bf16 (2 B/weight)'}.`,
    );
  }
  const gradientsBytes = (2 * trainable) / modelShards / zero(2);
  const optimizerBytes = (12 * trainable) / modelShards / zero(1);
  explanation.push(
    `Gradients 2 B and AdamW states 12 B (fp32 master, m, v) per trainable parameter${s.zeroStage > 0 ? `, ZeRO-${s.zeroStage} shards ${s.zeroStage >= 2 ? 'gradients and ' : ''}optimizer states over DP ${s.dp}` : ''}.`,
  );

  const { hiddenSize: h, numAttentionHeads: heads } = a;
  const sbh = s.sequenceLength * s.microBatch * h;
  const layersPerGpu = Math.ceil(a.numLayers / s.pp);
  let perLayer: number;
  if (s.recompute) {
    perLayer = 2 * sbh; // only each layer's input is kept
  } else {
    const attentionMatrix = s.flashAttention ? 0 : (5 * heads * s.sequenceLength) / h;
    perLayer = sbh * (10 + 24 / s.tp + attentionMatrix / s.tp);
  }
  // With pipeline parallelism (1F1B) the first stage holds PP micro-batches in flight.
  const activationsBytes = perLayer * layersPerGpu * s.pp;
  const logitsBytes = (s.sequenceLength * s.microBatch * a.vocabSize * 4) / s.tp;
  explanation.push(
    s.recompute
      ? `Activations with full recomputation: 2 B x seq ${s.sequenceLength} x micro-batch ${s.microBatch} x hidden ${h} per layer, ${layersPerGpu} layers.`
      : `Activations: seq x batch x hidden x (10 + 24/TP${s.flashAttention ? '' : ' + 5 x heads x seq / (hidden x TP)'}) bytes per layer, ${layersPerGpu} layers${s.pp > 1 ? `, ${s.pp} micro-batches in flight` : ''}.`,
    `Logits in fp32 for the loss: seq x batch x vocab ${a.vocabSize} x 4 B / TP = ${(logitsBytes / GIB).toFixed(2)} GiB.`,
  );
  const totalBytes = weightsBytes + gradientsBytes + optimizerBytes + activationsBytes + logitsBytes;
  return {
    weightsBytes,
    gradientsBytes,
    optimizerBytes,
    activationsBytes,
    logitsBytes,
    totalBytes,
    trainableParameters: trainable,
    explanation,
  };
}
