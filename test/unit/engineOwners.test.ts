/**
 * Which engine holds a GPU process: the GPU is held by the process that runs the model, which is
 * often not the one that was started. A process table as `ps -ef` shows real servers:
 * - vLLM V1 with `--tensor-parallel-size 2`: the API server (`vllm serve ...`) starts
 *   `VLLM::EngineCore`, which starts `VLLM::Worker_TP0` and `VLLM::Worker_TP1`, the two processes
 *   nvidia-smi lists (vllm/utils/system_utils.py set_process_title names them `VLLM::<name>`);
 * - TGI: `text-generation-launcher --num-shard 2` starts two `text-generation-server serve` shards;
 * - SGLang started as its own model process (`python -m sglang.launch_server`, TP 1);
 * - an unrelated CUDA program.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineOwners } from '../../src/node/localServices.ts';
import { parsePsTable } from '../../src/node/remoteServices.ts';

const TABLE: Record<number, { parent: number; argv: string[] }> = {
  100: { parent: 1, argv: ['/usr/bin/python3', '/usr/local/bin/vllm', 'serve', 'Qwen/Qwen3-32B', '--port', '8001'] },
  101: { parent: 100, argv: ['VLLM::EngineCore'] },
  102: { parent: 101, argv: ['VLLM::Worker_TP0'] },
  103: { parent: 101, argv: ['VLLM::Worker_TP1'] },
  200: {
    parent: 1,
    argv: ['text-generation-launcher', '--model-id', 'mistralai/Mistral-7B-Instruct-v0.3', '--num-shard', '2'],
  },
  201: { parent: 200, argv: ['/opt/conda/bin/python', '/opt/conda/bin/text-generation-server', 'serve', 'm'] },
  202: { parent: 200, argv: ['/opt/conda/bin/python', '/opt/conda/bin/text-generation-server', 'serve', 'm'] },
  300: { parent: 1, argv: ['python', '-m', 'sglang.launch_server', '--model-path', 'Qwen/Qwen2.5-7B-Instruct'] },
  400: { parent: 1, argv: ['./train.py'] },
};
const argvOf = async (pid: number) => TABLE[pid]?.argv;
const parentOf = async (pid: number) => (TABLE[pid] && TABLE[pid].parent > 1 ? TABLE[pid].parent : undefined);

describe('the engine that owns each GPU process', () => {
  test('each server once, at its own PID and port, with every GPU process under it; the CUDA program is no server', async () => {
    const owners = await engineOwners([102, 103, 201, 202, 300, 400], argvOf, parentOf);
    assert.deepEqual(
      owners.map((o) => [o.engine, o.pid, o.port, o.gpuPids]),
      [
        ['vllm', 100, 8001, [102, 103]],
        ['tgi', 200, 3000, [201, 202]],
        ['sglang', 300, 30000, [300]],
      ],
    );
  });

  test('a chain longer than six parents is not followed (a GPU process under an engine started far up is not claimed)', async () => {
    const deep: Record<number, { parent: number; argv: string[] }> = {
      10: { parent: 1, argv: ['vllm', 'serve', 'm'] },
    };
    for (let pid = 11; pid <= 18; pid++) deep[pid] = { parent: pid - 1, argv: ['bash'] };
    const owners = await engineOwners(
      [18, 16],
      async (pid) => deep[pid]?.argv,
      async (pid) => (deep[pid] && deep[pid].parent > 1 ? deep[pid].parent : undefined),
    );
    // 16 is six parents below 10 and is claimed; 18 is eight below and is not.
    assert.deepEqual(
      owners.map((o) => [o.pid, o.gpuPids]),
      [[10, [16]]],
    );
  });
});

describe('on an SSH host: the same walk over one `ps -ww -e -o pid=,ppid=,args=` listing', () => {
  // As procps prints it: PID and PPID right-aligned, then the command line.
  const PS = [
    '      1       0 /sbin/init',
    '   4100       1 /usr/bin/python3 /usr/local/bin/vllm serve Qwen/Qwen3-32B --tensor-parallel-size 2 --port 8001',
    '   4180    4100 VLLM::EngineCore',
    '   4201    4180 VLLM::Worker_TP0',
    '   4202    4180 VLLM::Worker_TP1',
    '   5000       1 sshd: alice [priv]',
    '',
  ].join('\n');

  test('the server is found from its two workers (the PIDs nvidia-smi lists)', async () => {
    const table = parsePsTable(PS);
    assert.deepEqual(table.get(4201), { ppid: 4180, argv: ['VLLM::Worker_TP0'] });
    const owners = await engineOwners(
      [4201, 4202],
      async (pid) => table.get(pid)?.argv,
      async (pid) => ((table.get(pid)?.ppid ?? 0) > 1 ? table.get(pid)!.ppid : undefined),
    );
    assert.deepEqual(
      owners.map((o) => [o.engine, o.pid, o.port, o.model, o.gpuPids]),
      [['vllm', 4100, 8001, 'Qwen/Qwen3-32B', [4201, 4202]]],
    );
  });
});
