import type { IAquaClient } from './client';
import type { Operation, OperationState } from './types';

/** States after which an operation no longer changes. */
export const TERMINAL_STATES: ReadonlySet<OperationState> = new Set<OperationState>([
  'SUCCEEDED',
  'FAILED',
  'CANCELED'
]);

export function isTerminal(operation: Operation): boolean {
  return TERMINAL_STATES.has(operation.state);
}

export interface IPollOptions {
  /** Delay between two `getOperation` calls. */
  intervalMs: number;
  /** Called with every new state of the operation (not with the initial one). */
  onUpdate?: (operation: Operation) => void;
  /** Stops polling; the promise then resolves with the last known state. */
  signal?: AbortSignal;
  /** Consecutive failed polls tolerated before giving up (default 3). */
  maxFailures?: number;
}

/**
 * Poll an operation until it reaches a terminal state (or the signal aborts)
 * and return its last known state.
 */
export async function pollOperation(
  client: IAquaClient,
  initial: Operation,
  options: IPollOptions
): Promise<Operation> {
  const maxFailures = options.maxFailures ?? 3;
  let current = initial;
  let failures = 0;
  while (!isTerminal(current) && !options.signal?.aborted) {
    await delay(options.intervalMs, options.signal);
    if (options.signal?.aborted) {
      break;
    }
    try {
      current = await client.getOperation(current.id);
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures >= maxFailures) {
        throw error;
      }
      continue;
    }
    if (!options.signal?.aborted) {
      options.onUpdate?.(current);
    }
  }
  return current;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
