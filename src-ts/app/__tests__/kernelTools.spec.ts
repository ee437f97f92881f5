import type { INotebookTracker } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';

import { kernelToolRunner } from '../kernelTools';
import { RESULT_KEY } from '../../features/playground/kernelTools';
import { trans } from '../../test-support/trans';

const NOTEBOOK = '작업/天気.ipynb';

/** The expression's text/plain for `value` (what IPython gives for the base64 string). */
function encoded(value: string): string {
  return `'${btoa(unescape(encodeURIComponent(value)))}'`;
}

/** The parts of a notebook panel and its kernel the runner touches. */
function fakeKernel(options: { status?: string; language?: string; reply?: () => Promise<unknown> } = {}) {
  const kernel = {
    status: options.status ?? 'idle',
    statusChanged: new Signal<unknown, string>({}),
    info: Promise.resolve({ language_info: { name: options.language ?? 'python' } }),
    requestExecute: jest.fn(() => ({
      done:
        options.reply?.() ??
        Promise.resolve({
          content: {
            status: 'ok',
            user_expressions: { [RESULT_KEY]: { status: 'ok', data: { 'text/plain': encoded('{"temp": 21}') } } }
          }
        }),
      isDisposed: false,
      dispose: jest.fn()
    }))
  };
  const panel = { context: { path: NOTEBOOK }, sessionContext: { session: { kernel } } };
  return { tracker: { currentWidget: panel } as unknown as INotebookTracker, kernel };
}

describe('the kernel tool runner', () => {
  it('runs the call silently in the kernel of the notebook last focused', async () => {
    const { tracker, kernel } = fakeKernel();
    const outcome = await kernelToolRunner(tracker, trans)('get_weather', '{"city": "서울"}');
    expect(outcome).toEqual({ ok: true, value: '{"temp": 21}', notebook: NOTEBOOK });
    expect(kernel.requestExecute).toHaveBeenCalledWith(
      expect.objectContaining({ code: '', silent: true, store_history: false, allow_stdin: false })
    );
  });

  it('checks the name and the arguments before anything reaches the kernel', async () => {
    const { tracker, kernel } = fakeKernel();
    const run = kernelToolRunner(tracker, trans);
    expect((await run('print(1)', '{}')).ok).toBe(false);
    expect(await run('get_weather', '["서울"]')).toEqual({
      ok: false,
      message: 'The arguments are not a JSON object: they cannot be keyword arguments.'
    });
    expect(kernel.requestExecute).not.toHaveBeenCalled();
  });

  it('says why it cannot run: no notebook, no kernel, a busy kernel, not Python', async () => {
    for (const tracker of [null, { currentWidget: null } as unknown as INotebookTracker]) {
      expect(await kernelToolRunner(tracker, trans)('f', '{}')).toEqual({
        ok: false,
        message: 'No notebook is open: open the notebook that defines f.'
      });
    }
    const noKernel = {
      currentWidget: { context: { path: NOTEBOOK }, sessionContext: { session: null } }
    } as unknown as INotebookTracker;
    expect((await kernelToolRunner(noKernel, trans)('f', '{}')) as unknown).toEqual({
      ok: false,
      message: `${NOTEBOOK} has no kernel: start one and run the cell that defines f.`
    });

    jest.useFakeTimers();
    try {
      const busy = fakeKernel({ status: 'busy' });
      const pending = kernelToolRunner(busy.tracker, trans)('f', '{}');
      await jest.advanceTimersByTimeAsync(2000);
      expect(await pending).toEqual({
        ok: false,
        message: `The kernel of ${NOTEBOOK} is busy running a cell: try again when it is idle.`
      });
      expect(busy.kernel.requestExecute).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }

    const r = fakeKernel({ language: 'R' });
    expect(await kernelToolRunner(r.tracker, trans)('f', '{}')).toEqual({
      ok: false,
      message: `The kernel of ${NOTEBOOK} runs R, not Python.`
    });
  });

  it('waits for the idle that follows its own previous call', async () => {
    const { tracker, kernel } = fakeKernel({ status: 'busy' });
    const pending = kernelToolRunner(tracker, trans)('f', '{}');
    kernel.status = 'idle';
    kernel.statusChanged.emit('idle');
    expect((await pending).ok).toBe(true);
  });

  it('gives up on a function that does not return, and on a kernel that died', async () => {
    const slow = fakeKernel({ reply: () => new Promise(() => undefined) });
    expect(await kernelToolRunner(slow.tracker, trans, 50)('slow_tool', '{}')).toEqual({
      ok: false,
      message: `slow_tool did not return within 1 s: it may still be running (interrupt the kernel of ${NOTEBOOK} to stop it).`
    });
    const dead = fakeKernel({ reply: () => Promise.reject(new Error('Canceled future for execute_request')) });
    expect(await kernelToolRunner(dead.tracker, trans)('f', '{}')).toEqual({
      ok: false,
      message: `The kernel of ${NOTEBOOK} stopped before answering: Error: Canceled future for execute_request`
    });
  });
});
