import type { INotebookTracker } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';

import {
  callArguments,
  functionNameProblem,
  kernelCallRequest,
  KERNEL_TIMEOUT_MS,
  parseKernelReply,
  type RunKernelTool
} from '../features/playground/kernelTools';

/** How long a busy kernel may take to become idle before the call is refused as busy. */
const BUSY_GRACE_MS = 1500;

/** `promise`'s value, or null when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<null>(resolve => (timer = setTimeout(() => resolve(null), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when the kernel is not busy, or after `ms`. */
async function idleWithin(kernel: Kernel.IKernelConnection, ms: number): Promise<void> {
  if (kernel.status !== 'busy') {
    return;
  }
  let onStatus: ((sender: Kernel.IKernelConnection, status: Kernel.Status) => void) | undefined;
  const idle = new Promise<void>(resolve => {
    onStatus = (_, status) => {
      if (status !== 'busy') {
        resolve();
      }
    };
    kernel.statusChanged.connect(onStatus);
  });
  await within(idle, ms);
  if (onStatus) {
    kernel.statusChanged.disconnect(onStatus);
  }
}

/**
 * "Answer with kernel function" with JupyterLab's notebook tracker: the call runs in the kernel of
 * the notebook last focused (the tracker's current widget, which stays set while the user is in the
 * playground), as a silent execute request that leaves no history (see features/playground/kernelTools.ts).
 * A kernel running a cell is not queued behind it (the call would wait for who knows how long): the
 * user is told, and tries again.
 */
export function kernelToolRunner(
  tracker: INotebookTracker | null,
  trans: TranslationBundle,
  timeoutMs = KERNEL_TIMEOUT_MS
): RunKernelTool {
  return async (fn, argumentsText) => {
    const problem = functionNameProblem(fn, trans);
    if (problem) {
      return { ok: false, message: problem };
    }
    const args = callArguments(argumentsText, trans);
    if (args.error !== null) {
      return { ok: false, message: args.error };
    }
    const panel = tracker?.currentWidget ?? null;
    if (!panel) {
      return { ok: false, message: trans.__('No notebook is open: open the notebook that defines %1.', fn) };
    }
    const notebook = panel.context.path;
    const kernel = panel.sessionContext.session?.kernel ?? null;
    if (!kernel) {
      return {
        ok: false,
        message: trans.__('%1 has no kernel: start one and run the cell that defines %2.', notebook, fn)
      };
    }
    // A kernel is busy for a moment after each reply (its idle status comes apart from the reply, e.g.
    // between two calls of one round): wait for that, not for a cell that runs on.
    await idleWithin(kernel, BUSY_GRACE_MS);
    if (kernel.status === 'busy') {
      return {
        ok: false,
        message: trans.__('The kernel of %1 is busy running a cell: try again when it is idle.', notebook)
      };
    }
    if (kernel.status !== 'idle') {
      return {
        ok: false,
        message: trans.__('The kernel of %1 is %2: try again when it is idle.', notebook, kernel.status)
      };
    }
    const language = await within(
      kernel.info.then(info => info.language_info.name),
      BUSY_GRACE_MS
    );
    if (language && language.toLowerCase() !== 'python') {
      return { ok: false, message: trans.__('The kernel of %1 runs %2, not Python.', notebook, language) };
    }
    const future = kernel.requestExecute(kernelCallRequest(fn, args.value));
    try {
      const reply = await within(future.done, timeoutMs);
      if (reply === null) {
        return {
          ok: false,
          message: trans.__(
            '%1 did not return within %2 s: it may still be running (interrupt the kernel of %3 to stop it).',
            fn,
            Math.ceil(timeoutMs / 1000),
            notebook
          )
        };
      }
      return { ...parseKernelReply(reply.content, fn, trans), notebook };
    } catch (error) {
      // The kernel restarted or died before it replied.
      return {
        ok: false,
        message: trans.__('The kernel of %1 stopped before answering: %2', notebook, String(error))
      };
    } finally {
      // A reply still to come is not awaited any more: its handlers go (done ones dispose themselves).
      if (!future.isDisposed) {
        future.dispose();
      }
    }
  };
}
