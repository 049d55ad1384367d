import type { WebviewToExtension } from '../src/shared/protocol.ts';

interface VsCodeApi<State> {
  postMessage(message: WebviewToExtension): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

/** acquireVsCodeApi() may be called once per page; it stays inside this closure. */
export function createHost<State>(): VsCodeApi<State> {
  const api = acquireVsCodeApi<State>();
  return {
    postMessage: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
