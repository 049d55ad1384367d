/**
 * Run… / Stop… / Logs without the editor: the argv each written command runs with (split as a POSIX
 * shell splits it), the ssh and kubectl argument lists, the free GPUs of a host, and the check that a
 * PID still is the engine to stop. Expected values are written out by hand beside each test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { emptyGpu, type Host } from '../../src/core/gpu/inventory.ts';
import {
  remoteCommandLine,
  runnableAt,
  runEstimate,
  runnableCommands,
  shellQuote,
  type RunnableCommand,
} from '../../src/core/services/runCommand.ts';
import { describeFreeGpus, freeGpus, isSameEngine } from '../../src/core/services/serviceTargets.ts';
import { kubectlPodArgs } from '../../src/node/kubectl.ts';
import { parsePsArgs, sshRunArgs } from '../../src/node/remoteServices.ts';

const only = (path: string, text: string) => {
  const found = runnableCommands(path, text);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.kind)));
  return found[0]!;
};

describe('Run…: the argv a written serving command runs with', () => {
  test("a plan's exported vllm serve line: the variable goes to the environment, quotes are removed", () => {
    // The shape planExport writes: CUDA_VISIBLE_DEVICES=<gpus> vllm serve "<model>" --tensor-parallel-size N ...
    const r = only(
      'plan.sh',
      'CUDA_VISIBLE_DEVICES=0,1 vllm serve "Qwen/Qwen2.5-7B-Instruct" --tensor-parallel-size 2 --gpu-memory-utilization 0.9 --port 8001\n',
    ) as RunnableCommand;
    assert.equal(r.kind, 'command');
    assert.deepEqual(r.env, [['CUDA_VISIBLE_DEVICES', '0,1']]);
    assert.deepEqual(r.argv, [
      'vllm',
      'serve',
      'Qwen/Qwen2.5-7B-Instruct',
      '--tensor-parallel-size',
      '2',
      '--gpu-memory-utilization',
      '0.9',
      '--port',
      '8001',
    ]);
    assert.deepEqual([r.engine, r.model, r.port], ['vllm', 'Qwen/Qwen2.5-7B-Instruct', 8001]);
  });

  test("vLLM's module, SGLang and TGI with their default ports (8000, 30000, 3000)", () => {
    const text = [
      'python -m vllm.entrypoints.openai.api_server --model meta-llama/Llama-3.1-8B-Instruct',
      'python3 -m sglang.launch_server --model-path Qwen/Qwen2.5-7B-Instruct',
      'text-generation-launcher --model-id mistralai/Mistral-7B-Instruct-v0.3',
      '',
    ].join('\n');
    const found = runnableCommands('serve.sh', text) as RunnableCommand[];
    assert.deepEqual(
      found.map((r) => [r.kind, r.engine, r.port, r.model, r.argv[0]]),
      [
        ['command', 'vllm', 8000, 'meta-llama/Llama-3.1-8B-Instruct', 'python'],
        ['command', 'sglang', 30000, 'Qwen/Qwen2.5-7B-Instruct', 'python3'],
        ['command', 'tgi', 3000, 'mistralai/Mistral-7B-Instruct-v0.3', 'text-generation-launcher'],
      ],
    );
  });

  test('a variable set above the line is expanded; one set nowhere refuses the line with its name', () => {
    const set = only('run.sh', 'PORT=9000\nvllm serve Qwen/Qwen2.5-7B-Instruct --port "$PORT"\n') as RunnableCommand;
    assert.deepEqual(set.argv.slice(-2), ['--port', '9000']);
    assert.equal(set.port, 9000);
    const unset = only('run.sh', 'vllm serve Qwen/Qwen2.5-7B-Instruct --port $PORT\n');
    assert.equal(unset.kind, 'refused');
    assert.match(unset.kind === 'refused' ? unset.reason : '', /\$PORT, which is not set in this file/);
  });

  test('`env A=1`, a command inside `bash -c "..."` with a continuation, and docker run with -p', () => {
    const viaEnv = only('a.sh', 'env CUDA_VISIBLE_DEVICES=1 vllm serve Qwen/Qwen2.5-7B-Instruct\n') as RunnableCommand;
    assert.deepEqual(
      [viaEnv.env, viaEnv.argv],
      [[['CUDA_VISIBLE_DEVICES', '1']], ['vllm', 'serve', 'Qwen/Qwen2.5-7B-Instruct']],
    );
    const nested = only('a.sh', 'bash -c "vllm serve Qwen/Qwen2.5-7B-Instruct \\\n  --port 8001"\n') as RunnableCommand;
    assert.deepEqual(nested.argv, ['vllm', 'serve', 'Qwen/Qwen2.5-7B-Instruct', '--port', '8001']);
    // The image runs vLLM's server on 8000 inside; -p 9000:8000 publishes it on the host's 9000.
    const docker = only(
      'a.sh',
      'docker run --gpus all -p 9000:8000 vllm/vllm-openai:v0.11.0 --model Qwen/Qwen2.5-7B-Instruct\n',
    ) as RunnableCommand;
    assert.deepEqual(
      [docker.kind, docker.engine, docker.port, docker.argv[0], docker.argv.length],
      ['command', 'vllm', 9000, 'docker', 9],
    );
  });

  test('a redirection needs a shell: refused, never run through one', () => {
    const r = only('run.sh', 'vllm serve Qwen/Qwen2.5-7B-Instruct > /tmp/log.txt\n');
    assert.equal(r.kind, 'refused');
    assert.match(r.kind === 'refused' ? r.reason : '', /needs a shell/);
  });

  test('a pipeline, a list, env options, shell grammar or a redirection inside a word: refused, not run in part', () => {
    const reasons = [
      'vllm serve Qwen/Qwen2.5-7B-Instruct | tee serve.log\n',
      'cd /models && vllm serve Qwen/Qwen2.5-7B-Instruct\n',
      'if true; then vllm serve Qwen/Qwen2.5-7B-Instruct; fi\n',
      'env -i vllm serve Qwen/Qwen2.5-7B-Instruct\n',
      'vllm serve Qwen/Qwen2.5-7B-Instruct>serve.log\n',
      'vllm serve Qwen/Qwen2.5-7B-Instruct --api-key "`cat key`"\n',
    ].map((text) => {
      const r = only('run.sh', text);
      return r.kind === 'refused' ? r.reason : `ran ${JSON.stringify(r.kind === 'command' ? r.argv : r)}`;
    });
    assert.match(reasons[0]!, /part of a pipeline or a list/);
    assert.match(reasons[1]!, /part of a pipeline or a list/);
    assert.match(reasons[2]!, /part of a pipeline or a list/);
    assert.match(reasons[3]!, /"env -i" changes the environment/);
    assert.match(reasons[4]!, /needs a shell/);
    assert.match(reasons[5]!, /needs a shell/);
  });

  test('`exec vllm serve` (a container entrypoint) runs vllm itself', () => {
    const r = only('entrypoint.sh', 'exec vllm serve Qwen/Qwen2.5-7B-Instruct --port 8001\n') as RunnableCommand;
    assert.deepEqual(r.argv, ['vllm', 'serve', 'Qwen/Qwen2.5-7B-Instruct', '--port', '8001']);
    assert.equal(r.port, 8001);
  });

  test('a Markdown code block, and the runnable under the cursor', () => {
    const text = '# Serving\n\n```bash\nvllm serve Qwen/Qwen2.5-7B-Instruct --tensor-parallel-size 2\n```\n';
    const found = runnableCommands('README.md', text);
    assert.equal(found.length, 1);
    const offset = text.indexOf('--tensor');
    assert.equal(runnableAt(found, text, offset), found[0]);
    assert.equal(runnableAt(found, text, 0), undefined);
  });

  test('a compose service is run by name with docker compose', () => {
    const text = [
      'services:',
      '  llm:',
      '    image: vllm/vllm-openai:v0.11.0',
      '    command: ["--model", "Qwen/Qwen2.5-7B-Instruct"]',
      '    deploy:',
      '      resources:',
      '        reservations:',
      '          devices:',
      '            - driver: nvidia',
      '              count: 1',
      '              capabilities: [gpu]',
      '',
    ].join('\n');
    const r = only('compose.yaml', text);
    assert.equal(r.kind, 'compose');
    assert.equal(r.kind === 'compose' ? r.service : '', 'llm');
  });
});

describe('Run…: the estimate shown before starting', () => {
  test('TP 2 at 0.9 of an H100 SXM: 2 GPUs, each with 71.3 GiB free', () => {
    const r = only(
      'plan.sh',
      'vllm serve Qwen/Qwen2.5-7B-Instruct --tensor-parallel-size 2 --gpu-memory-utilization 0.9\n',
    );
    const e = runEstimate(r.unit, { findModel: (id) => findModel(id)?.architecture, defaultGpu: findGpu('h100-sxm') });
    // nvidia-smi's memory.total for an H100 80GB HBM3 is 81559 MiB, less 480 MiB CUDA does not
    // hand out: 81079 MiB x 0.9 = 72971.1 MiB = 71.26 GiB on each of TP 2 GPUs.
    assert.equal(e.gpus, 2);
    assert.ok(Math.abs(e.perGpuGiB! - 71.2608) < 1e-3, String(e.perGpuGiB));
    assert.match(
      e.summary,
      /^2 × 71\.3 GiB of NVIDIA H100 80GB SXM \(HBM3\) \(the default GPU\) \(0\.9 of its memory\)/,
    );
  });

  test('a model outside the catalog: the GPU count, and why there is no memory figure', () => {
    const r = only('run.sh', 'vllm serve my-org/private-model --tensor-parallel-size 4\n');
    const e = runEstimate(r.unit, { findModel: () => undefined, defaultGpu: findGpu('h100-sxm') });
    assert.equal(e.gpus, 4);
    assert.equal(e.perGpuGiB, undefined);
    assert.match(
      e.summary,
      /^4 GPUs; no memory estimate: model "my-org\/private-model" is not in the built-in catalog/,
    );
  });
});

describe('ssh and kubectl argument lists', () => {
  test('each word is single-quoted for the remote shell, a quote written as quote-backslash-quote-quote', () => {
    assert.equal(shellQuote('Qwen/Qwen2.5-7B-Instruct'), 'Qwen/Qwen2.5-7B-Instruct');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote('$(touch /tmp/pwned)'), `'$(touch /tmp/pwned)'`);
    assert.equal(shellQuote(''), `''`);
    assert.equal(
      remoteCommandLine([['CUDA_VISIBLE_DEVICES', '0,1']], ['vllm', 'serve', 'a b;reboot']),
      `exec env CUDA_VISIBLE_DEVICES=0,1 vllm serve 'a b;reboot'`,
    );
  });

  test('ssh: a credential set on the line is refused (ssh would show it in its argv to every user, and the task prints it)', () => {
    const options = { configFile: undefined, connectTimeoutSeconds: 5 };
    for (const name of [
      'HF_TOKEN',
      'HUGGING_FACE_HUB_TOKEN',
      'OPENAI_API_KEY',
      'AWS_SECRET_ACCESS_KEY',
      'DB_PASSWORD',
    ]) {
      const r = sshRunArgs('gpu-box', options, [[name, 'hf_abc123']], ['vllm', 'serve', 'm']);
      assert.equal(r.ok, false, name);
      assert.match(r.ok ? '' : r.reason, new RegExp(`^${name} would be visible in the ssh command line`));
      assert.doesNotMatch(JSON.stringify(r), /hf_abc123/);
    }
    assert.equal(sshRunArgs('gpu-box', options, [['CUDA_VISIBLE_DEVICES', '0,1']], ['vllm', 'serve', 'm']).ok, true);
  });

  test('ssh: -t, the fixed options, --, the host, then one remote command line; a hostile host is refused', () => {
    const r = sshRunArgs('gpu-box', { configFile: undefined, connectTimeoutSeconds: 5 }, [], ['vllm', 'serve', 'm']);
    assert.deepEqual(r, {
      ok: true,
      args: [
        '-t',
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=5',
        '-o',
        'StrictHostKeyChecking=accept-new',
        '--',
        'gpu-box',
        'exec vllm serve m',
      ],
    });
    const bad = sshRunArgs(
      '-oProxyCommand=touch /tmp/x',
      { configFile: undefined, connectTimeoutSeconds: 5 },
      [],
      ['x'],
    );
    assert.equal(bad.ok, false);
  });

  test('kubectl: delete and logs -f for one pod; a name that reads as an option is refused', () => {
    assert.deepEqual(kubectlPodArgs('delete', 'serving', 'llama-70b-0', { kubeconfig: undefined, context: 'prod' }), [
      '--context=prod',
      'delete',
      'pod',
      '-n',
      'serving',
      'llama-70b-0',
    ]);
    assert.deepEqual(kubectlPodArgs('logs', 'serving', 'llama-70b-0', { kubeconfig: '/k', context: undefined }), [
      '--kubeconfig=/k',
      'logs',
      '-f',
      '-n',
      'serving',
      'llama-70b-0',
    ]);
    assert.match(
      String(kubectlPodArgs('delete', '--all-namespaces', 'x', { kubeconfig: undefined, context: undefined })),
      /not a Kubernetes namespace name/,
    );
    assert.match(
      String(kubectlPodArgs('delete', 'serving', '--all', { kubeconfig: undefined, context: undefined })),
      /not a Kubernetes pod name/,
    );
  });

  test("ps -ww -o pid=,args=: the PID right-aligned, then the command line (procps' own output)", () => {
    const out = '   4242 python3 -m vllm.entrypoints.openai.api_server --model m --port 8001\n  17 sleep 300\n';
    assert.deepEqual(
      [...parsePsArgs(out)],
      [
        [4242, ['python3', '-m', 'vllm.entrypoints.openai.api_server', '--model', 'm', '--port', '8001']],
        [17, ['sleep', '300']],
      ],
    );
  });
});

describe('free GPUs and the stop check', () => {
  const host: Host = {
    id: 'local',
    label: 'this machine',
    source: 'local',
    status: { kind: 'ok' },
    gpus: [
      // 0: idle, 80 GiB free; 1: runs a process; 2: idle, 30 GiB free; 3: 2 GiB used (busy by memory).
      { ...emptyGpu('nvidia', 'H100'), index: 0, memoryUsedMiB: 0, memoryFreeMiB: 81920 },
      {
        ...emptyGpu('nvidia', 'H100'),
        index: 1,
        memoryUsedMiB: 500,
        memoryFreeMiB: 81420,
        processes: [{ pid: 7, name: 'python', usedMemoryMiB: 500 }],
      },
      { ...emptyGpu('nvidia', 'H100'), index: 2, memoryUsedMiB: 0, memoryFreeMiB: 30720 },
      { ...emptyGpu('nvidia', 'H100'), index: 3, memoryUsedMiB: 2048, memoryFreeMiB: 79872 },
    ],
  };

  test('idle GPUs are free; those with the per-GPU need in free memory fit', () => {
    const { free, fitting } = freeGpus(host, 40);
    assert.deepEqual(
      free.map((g) => g.index),
      [0, 2],
    );
    // 81920 MiB = 80 GiB >= 40; 30720 MiB = 30 GiB < 40.
    assert.deepEqual(
      fitting.map((g) => g.index),
      [0],
    );
    assert.equal(describeFreeGpus(host, 40, 2), '2 of 4 GPUs free (0, 2), 1 with 40.0 GiB free — needs 2');
    assert.equal(
      describeFreeGpus({ ...host, status: { kind: 'unreachable', reason: 'timed out' } }),
      'unreachable: timed out',
    );
  });

  test('a PID is stopped only while it still is the same engine on the same port', () => {
    const expected = { engine: 'vllm' as const, model: 'Qwen/Qwen2.5-7B-Instruct', port: 8001 };
    assert.equal(isSameEngine(expected, ['vllm', 'serve', 'Qwen/Qwen2.5-7B-Instruct', '--port', '8001']), true);
    assert.equal(isSameEngine(expected, ['sleep', '300']), false);
    assert.equal(isSameEngine(expected, ['vllm', 'serve', 'Qwen/Qwen2.5-7B-Instruct', '--port', '8002']), false);
    assert.equal(isSameEngine(expected, ['vllm', 'serve', 'other/model', '--port', '8001']), false);
    assert.equal(isSameEngine(expected, undefined), false);
  });
});
