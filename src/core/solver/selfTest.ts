import type { LinearProgram } from './workerProtocol.ts';

/**
 * A textbook LP whose optimum is known by hand, used to prove the bundled GLPK works:
 * maximize 3x + 2y subject to x + y <= 4, x + 3y <= 6, x <= 3, x, y >= 0.
 * The vertices are (0,0), (3,0), (3,1), (0,2) and (3,1) gives 3*3 + 2*1 = 11.
 */
export const SELF_TEST_PROGRAM: LinearProgram = {
  name: 'gpu-workbench-self-test',
  objective: {
    direction: 'max',
    name: 'value',
    vars: [
      { name: 'x', coef: 3 },
      { name: 'y', coef: 2 },
    ],
  },
  subjectTo: [
    {
      name: 'total',
      vars: [
        { name: 'x', coef: 1 },
        { name: 'y', coef: 1 },
      ],
      bound: { kind: 'upTo', ub: 4 },
    },
    {
      name: 'weighted',
      vars: [
        { name: 'x', coef: 1 },
        { name: 'y', coef: 3 },
      ],
      bound: { kind: 'upTo', ub: 6 },
    },
    { name: 'xCap', vars: [{ name: 'x', coef: 1 }], bound: { kind: 'upTo', ub: 3 } },
  ],
};
