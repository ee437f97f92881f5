/**
 * Tool calls answered by a Python function of the notebook's kernel: the per-call "Answer with kernel
 * function", the per-tool settings (which function, answer by itself) and the auto-answer of a whole
 * round, bounded so that a model calling tools forever stops after MAX_AUTO_ROUNDS.
 * The app provides the runner (JupyterLab's kernel API, app/kernelTools.ts) through KernelToolsContext;
 * without it (tests, a lab without notebooks) none of this is shown.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ToolDefinition } from '../../api/types';
import {
  errorResult,
  functionNameProblem,
  kernelSetting,
  MAX_AUTO_ROUNDS,
  type IKernelToolSetting,
  type KernelToolOutcome,
  type KernelToolSettings,
  type RunKernelTool
} from './kernelTools';
import type { IAssistantTurn, IToolCall } from './transcript';

export interface IKernelTools {
  run: RunKernelTool;
  settings: KernelToolSettings;
  /** Tool rounds answered since the question that led to this answer (the auto-answer bound). */
  roundsBefore: (answerId: string) => number;
}

export const KernelToolsContext = React.createContext<IKernelTools | null>(null);

type CallStatus =
  { state: 'running'; fn: string } | { state: 'done'; fn: string; outcome: KernelToolOutcome; notebook?: string };

export interface IKernelAnswers {
  kernel: IKernelTools | null;
  statuses: (CallStatus | undefined)[];
  running: boolean;
  run: (index: number, fn: string) => Promise<KernelToolOutcome>;
  /** Why auto-answer did not answer this round (the bound was reached); null otherwise. */
  autoNote: string | null;
}

/**
 * The kernel answers of one answer's tool calls: `setResult` puts a result in the call's box (where
 * the user can still edit it); when every called tool is set to answer by itself, the round runs and
 * is sent once, when the answer is done.
 */
export function useKernelAnswers(options: {
  turn: IAssistantTurn;
  calls: IToolCall[];
  open: boolean;
  busy: boolean;
  trans: TranslationBundle;
  setResult: (index: number, value: string) => void;
  onAnswerTools?: (answerId: string, results: string[]) => void;
}): IKernelAnswers {
  const { turn, calls, open, busy, trans } = options;
  const kernel = React.useContext(KernelToolsContext);
  const [statuses, setStatuses] = React.useState<(CallStatus | undefined)[]>([]);
  const [autoNote, setAutoNote] = React.useState<string | null>(null);
  const latest = React.useRef(options);
  latest.current = options;
  const mounted = React.useRef(true);
  React.useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );

  const setStatus = (index: number, status: CallStatus): void => {
    if (mounted.current) {
      setStatuses(previous => {
        const next = [...previous];
        next[index] = status;
        return next;
      });
    }
  };

  const run = React.useCallback(
    async (index: number, fn: string): Promise<KernelToolOutcome> => {
      const call = latest.current.calls[index];
      if (!kernel || !call) {
        return { ok: false, message: '' };
      }
      setStatus(index, { state: 'running', fn });
      let answer: Awaited<ReturnType<RunKernelTool>>;
      try {
        answer = await kernel.run(fn, call.arguments);
      } catch (error) {
        // The runner answers its failures itself: this is a bug, still shown on the call, not a spinner forever.
        answer = { ok: false, message: String(error) };
      }
      const { notebook, ...outcome } = answer;
      setStatus(index, { state: 'done', fn, outcome, notebook });
      if (outcome.ok && mounted.current) {
        latest.current.setResult(index, outcome.value);
      }
      return outcome;
    },
    [kernel]
  );

  // Auto-answer: once per answer, when it is done with calls of tools that all answer by themselves.
  const started = React.useRef(false);
  React.useEffect(() => {
    if (!kernel || !open || busy || started.current || calls.length === 0) {
      return;
    }
    const settings = calls.map(call => kernelSetting(kernel.settings, call.name));
    if (!settings.every(setting => setting.auto)) {
      return;
    }
    started.current = true;
    if (kernel.roundsBefore(turn.id) >= MAX_AUTO_ROUNDS) {
      setAutoNote(
        trans.__(
          'Not answered automatically: the model has called tools %1 times in a row since the question. Answer by hand to go on.',
          MAX_AUTO_ROUNDS
        )
      );
      return;
    }
    void (async () => {
      const values: string[] = [];
      for (const [i, setting] of settings.entries()) {
        const outcome = await run(i, setting.fn);
        if (!outcome.ok) {
          return; // the error shows on the call; the user decides what to send
        }
        values.push(outcome.value);
      }
      if (mounted.current) {
        latest.current.onAnswerTools?.(turn.id, values);
      }
    })();
  }, [kernel, open, busy, calls, turn.id, run, trans]);

  return {
    kernel,
    statuses,
    running: statuses.some(status => status?.state === 'running'),
    run,
    autoNote
  };
}

/** Under an unanswered call: the function to run, the button, and what came of it. */
export function KernelCallAnswer(props: {
  call: IToolCall;
  index: number;
  answers: IKernelAnswers;
  disabled: boolean;
  trans: TranslationBundle;
  /** Put `value` in the call's result box. */
  onUseResult: (value: string) => void;
}): JSX.Element | null {
  const { call, answers, trans } = props;
  const kernel = answers.kernel;
  const [fn, setFn] = React.useState(() => (kernel ? kernelSetting(kernel.settings, call.name).fn : ''));
  if (!kernel) {
    return null;
  }
  const problem = fn.trim() ? functionNameProblem(fn, trans) : null;
  const status = answers.statuses[props.index];
  return (
    <div className="jp-AquaExt-Turn-kernelAnswer">
      <div className="jp-AquaExt-Turn-kernelAnswerRow">
        <input
          className="jp-mod-styled jp-AquaExt-input"
          aria-label={trans.__('Kernel function for %1', call.name)}
          title={trans.__('A function defined in the kernel of the notebook last focused')}
          value={fn}
          spellCheck={false}
          onChange={event => setFn(event.target.value)}
        />
        <button
          type="button"
          className="jp-mod-styled jp-AquaExt-button"
          disabled={props.disabled || answers.running || !fn.trim() || problem !== null}
          onClick={() => void answers.run(props.index, fn.trim())}
        >
          {trans.__('Answer with kernel function')}
        </button>
      </div>
      {problem && (
        <div className="jp-AquaExt-error" role="alert">
          {problem}
        </div>
      )}
      {status?.state === 'running' && (
        <div className="jp-AquaExt-Turn-kernelStatus" role="status">
          <span className="jp-AquaExt-spinner" aria-hidden="true" />
          {trans.__('Running %1() in the kernel…', status.fn)}
        </div>
      )}
      {status?.state === 'done' && status.outcome.ok && (
        <div className="jp-AquaExt-Turn-kernelStatus jp-mod-ok" role="status">
          {status.notebook
            ? trans.__(
                '✓ %1() returned in the kernel of %2: its result is in the box, to send or edit.',
                status.fn,
                status.notebook
              )
            : trans.__('✓ %1() returned: its result is in the box, to send or edit.', status.fn)}
        </div>
      )}
      {status?.state === 'done' && !status.outcome.ok && (
        <div className="jp-AquaExt-Turn-kernelError" role="alert">
          <span>{status.outcome.message}</span>
          <button
            type="button"
            className="jp-AquaExt-linkButton"
            onClick={() => props.onUseResult(errorResult(status.outcome.ok ? '' : status.outcome.message))}
          >
            {trans.__('Use the error as the result')}
          </button>
        </div>
      )}
    </div>
  );
}

/** In the tools panel: for each tool, the kernel function that answers it and whether it answers by itself. */
export function KernelToolSettingsView(props: {
  tools: ToolDefinition[];
  settings: KernelToolSettings;
  onChange: (toolName: string, setting: IKernelToolSetting) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  return (
    <fieldset className="jp-AquaExt-Playground-kernelTools">
      <legend>{trans.__('Answer with the notebook’s kernel')}</legend>
      <p className="jp-AquaExt-formField-hint">
        {trans.__(
          'A call can run a Python function of the kernel of the notebook last focused, with the call’s arguments as keyword arguments. Automatic: the results are sent without asking, for at most %1 rounds after a question.',
          MAX_AUTO_ROUNDS
        )}
      </p>
      {props.tools.map(tool => {
        const name = tool.function.name;
        const current = props.settings[name];
        const setting = kernelSetting(props.settings, name);
        const typed = current?.fn ?? '';
        const problem = typed.trim() ? functionNameProblem(typed, trans) : null;
        return (
          <div key={name} className="jp-AquaExt-Playground-kernelTool">
            <label className="jp-AquaExt-field">
              <span>{trans.__('%1: kernel function', name)}</span>
              <input
                className="jp-mod-styled jp-AquaExt-input"
                aria-label={trans.__('Kernel function answering %1', name)}
                placeholder={setting.fn}
                spellCheck={false}
                value={typed}
                onChange={event => props.onChange(name, { fn: event.target.value, auto: setting.auto })}
              />
            </label>
            {problem && (
              <div className="jp-AquaExt-error" role="alert">
                {problem}
              </div>
            )}
            <label className="jp-AquaExt-checkbox">
              <input
                type="checkbox"
                checked={setting.auto}
                aria-label={trans.__('Answer %1 with the kernel automatically', name)}
                onChange={event => props.onChange(name, { fn: typed, auto: event.target.checked })}
              />
              <span>{trans.__('Answer automatically')}</span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}
