/** The shell reading behind script and `sh -c` linting: words, commands, variables, positions. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findInScript } from '../../src/core/lint/commands.ts';
import { parseEngineCommand } from '../../src/core/lint/engineArgs.ts';
import { alignedText, shellCommands, verbatim, type Env } from '../../src/core/lint/shellParse.ts';

const words = (text: string, env: Env = new Map(), kubernetes = false) =>
  shellCommands(verbatim(text), env, { kubernetes }).map((c) => c.map((w) => w.text));

describe('shellCommands', () => {
  test('a # comment hides only its own line; ; && | and newlines separate commands', () => {
    assert.deepEqual(words('a 1 # b 2\nc "x # y" && d | e; f'), [['a', '1'], ['c', 'x # y'], ['d'], ['e'], ['f']]);
    assert.deepEqual(words('vllm serve m \\\n  # not a comment: the continuation ends here\n'), [
      ['vllm', 'serve', 'm'],
    ]);
  });

  test('assignments, ${X:-default}, unquoted splitting, single quotes stay literal', () => {
    const env: Env = new Map();
    assert.deepEqual(words('ARGS="--tp 2 --max-model-len 4096"\nM=q\nrun $M ${N:-d} $ARGS \'$M\'', env), [
      ['ARGS=--tp 2 --max-model-len 4096'],
      ['M=q'],
      ['run', 'q', 'd', '--tp', '2', '--max-model-len', '4096', '$M'],
    ]);
    // The value q sits two characters after the start of `M=q`, where a fix would edit it.
    const text = 'ARGS="--tp 2 --max-model-len 4096"\nM=q\n';
    assert.deepEqual(env.get('M'), {
      value: 'q',
      span: { start: text.indexOf('M=q') + 2, end: text.indexOf('M=q') + 3 },
    });
  });

  test("Kubernetes' $(VAR) expands from the env; $$( is a literal; unset refs are recorded", () => {
    const env: Env = new Map([['MODEL_ID', { value: 'Qwen/Qwen3-8B' }]]);
    const [first] = shellCommands(verbatim('$(MODEL_ID) $(NOPE)'), env, { kubernetes: true });
    const [word, other] = first!;
    assert.equal(word!.text, 'Qwen/Qwen3-8B');
    assert.deepEqual(word!.refs, [{ name: 'MODEL_ID', status: 'set' }]);
    assert.equal(other!.refs?.[0]?.status, 'unset');
    // In an argv element (no shell), Kubernetes turns $$( into a literal $(.
    const literal = shellCommands(verbatim('$$(X)'), new Map(), { kubernetes: true, shell: false });
    assert.deepEqual(
      literal.map((c) => c.map((w) => w.text)),
      [['$(X)']],
    );
  });

  test('spans point at the written word, through a block scalar', () => {
    const source = 'args:\n  - |\n    vllm serve m \\\n      --tensor-parallel-size 4\n';
    const value = 'vllm serve m \\\n  --tensor-parallel-size 4\n';
    const mapped = alignedText(value, source, source.indexOf('vllm'), source.length);
    const command = shellCommands(mapped, new Map())[0]!;
    const tp = parseEngineCommand(command, { start: 0, end: 0 })!.tensorParallel!;
    assert.equal(source.slice(tp.span.start, tp.span.end), '4');
    assert.equal(tp.span.start, source.lastIndexOf('4'));
  });

  test('a long run of unclosed $( and ${ is read in one pass, not one scan per reference', () => {
    // 20,000 references: quadratic scanning would be 4e8 steps; one pass visits each character a few times.
    const text = `vllm serve m ${'$( ${ '.repeat(20_000)}`;
    const calls = { n: 0 };
    const mapped = { text, offsetAt: (i: number) => (calls.n++, i) };
    shellCommands(mapped, new Map());
    assert.ok(calls.n < text.length * 2, `${calls.n} offset lookups for ${text.length} characters`);
  });
});

describe('findInScript', () => {
  test('exec, python -m api_server, docker run with --gpus, and ray start', () => {
    const found = findInScript(
      'exec python3 -m vllm.entrypoints.openai.api_server --model m -tp 2\n' +
        'docker run --gpus=2 -e MODEL_ID=org/x ghcr.io/huggingface/text-generation-inference:3 --num-shard 2\n' +
        'ray start --address=$HEAD:6379 --block\n',
      0,
      new Map(),
    );
    assert.deepEqual(
      found.map((f) => [
        f.engine?.engine,
        f.engine?.model?.value,
        f.engine?.tensorParallel?.value,
        f.dockerGpus?.value,
        f.rayNode,
      ]),
      [
        ['vllm', 'm', 2, undefined, undefined],
        ['tgi', 'org/x', 2, 2, undefined],
        [undefined, undefined, undefined, undefined, 'worker'],
      ],
    );
  });

  test('placeholders and unset variables are never models', () => {
    for (const line of [
      'vllm serve <model>',
      'vllm serve ...',
      'vllm serve $MODEL',
      'vllm serve MODEL_HUB_ID',
      'text-generation-launcher --model-id /data/<PATH-TO-FOLDER>',
    ]) {
      const engine = findInScript(line, 0, new Map())[0]?.engine;
      assert.equal(engine?.model, undefined, line);
      assert.ok(engine?.unresolvedModel, line);
    }
  });
});
