import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import type { ProvisioningProblem, ProvisioningResult } from '../../src/core/solver/provisioning.ts';
import {
  exportProvisioningKubernetes,
  exportProvisioningVllm,
  provisioningJson,
} from '../../src/core/solver/provisioningExport.ts';

describe('provisioning exports', () => {
  const problem: ProvisioningProblem = {
    models: [
      {
        name: 'code',
        architecture: findModel('Qwen/Qwen3-32B')!.architecture,
        workload: { requestsPerSecond: 2, inputTokens: 2000, outputTokens: 400 },
      },
    ],
    pools: [{ gpu: findGpu('h100-sxm')!, count: 100 }],
  } as ProvisioningProblem;
  // A fleet written by hand: 3 replicas of TP=2 on H100s at $4/GPU-hour = $8 per replica.
  const result: ProvisioningResult = {
    status: 'optimal',
    message: 'by hand',
    costPerHour: 24,
    choices: [
      { model: 'code', gpuType: 'h100-sxm', tp: 2, replicas: 3, requestsPerSecond: 0.8, costPerHour: 8, batch: 32 },
    ],
    front: [],
  };

  test('Kubernetes: one Deployment per model and GPU type, the model id, TP GPUs per pod, a pinned image', () => {
    const [doc] = parseAllDocuments(exportProvisioningKubernetes(problem, result)).map((d) => d.toJS());
    assert.equal(doc.metadata.name, 'code-h100-sxm');
    assert.equal(doc.spec.replicas, 3);
    const container = doc.spec.template.spec.containers[0];
    assert.deepEqual(container.args, [
      '--model',
      'Qwen/Qwen3-32B',
      '--tensor-parallel-size',
      '2',
      '--max-num-seqs',
      '32',
    ]);
    assert.equal(container.resources.limits['nvidia.com/gpu'], 2);
    assert.match(container.image, /^vllm\/vllm-openai:v\d+\.\d+\.\d+$/);
    // Tensor parallel across processes needs shared memory beyond Docker's 64 MB.
    assert.equal(doc.spec.template.spec.volumes[0].emptyDir.medium, 'Memory');
  });

  test('vllm serve and JSON name the same fleet', () => {
    assert.match(
      exportProvisioningVllm(problem, result),
      /^CUDA_VISIBLE_DEVICES=0,1 vllm serve "Qwen\/Qwen3-32B" --tensor-parallel-size 2 --max-num-seqs 32$/m,
    );
    const json = provisioningJson(result);
    assert.equal(json.costPerHour, 24);
    assert.deepEqual(json.choices[0], {
      model: 'code',
      gpuType: 'h100-sxm',
      tp: 2,
      replicas: 3,
      maxNumSeqs: 32,
      requestsPerSecondPerReplica: 0.8,
      costPerHourPerReplica: 8,
    });
  });
});
