/**
 * What an answer carries beyond its text: whether it follows the structured output schema it was
 * asked for, and the tool calls it made, each answered by hand before the model goes on.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ToolDefinition } from '../../api/types';
import { checkJson } from './jsonSchemas';
import { KernelCallAnswer, useKernelAnswers } from './KernelToolAnswer';
import type { IAssistantTurn, IToolCall } from './transcript';

export interface IStructuredAnswerProps {
  turn: IAssistantTurn;
  trans: TranslationBundle;
  busy: boolean;
  /** The tools as set now, to check each call's arguments against its parameters. */
  tools?: ToolDefinition[] | null;
  /** Send the results of this answer's tool calls (given on the last answer only). */
  onAnswerTools?: (answerId: string, results: string[]) => void;
}

export function StructuredAnswer(props: IStructuredAnswerProps): JSX.Element | null {
  const { turn } = props;
  if (turn.status === 'streaming') {
    return turn.toolCalls?.length ? <ToolCalls {...props} calls={turn.toolCalls} /> : null;
  }
  return (
    <>
      {turn.schema && turn.status === 'done' && !turn.toolCalls?.length && (
        <SchemaCheck text={turn.content} schema={turn.schema} trans={props.trans} />
      )}
      {turn.toolCalls?.length ? <ToolCalls {...props} calls={turn.toolCalls} /> : null}
    </>
  );
}

function SchemaCheck(props: { text: string; schema: Record<string, unknown>; trans: TranslationBundle }): JSX.Element {
  const { trans } = props;
  const check = React.useMemo(() => checkJson(props.text, props.schema, trans), [props.text, props.schema, trans]);
  return (
    <div
      className={`jp-AquaExt-Turn-schemaCheck ${check.valid ? 'jp-mod-valid' : 'jp-mod-invalid'}`}
      role="status"
      aria-label={trans.__('Schema check')}
    >
      {check.valid ? trans.__('✓ Valid JSON for the schema.') : trans.__('✗ Does not follow the schema:')}
      {!check.valid && (
        <ul>
          {check.problems.map((problem, i) => (
            <li key={i}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function prettyArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function ToolCalls(props: IStructuredAnswerProps & { calls: IToolCall[] }): JSX.Element {
  const { turn, trans, calls } = props;
  const [results, setResults] = React.useState<string[]>(() => calls.map(call => call.result ?? ''));
  const answered = calls.every(call => call.result !== null);
  const open = !answered && turn.status === 'done' && props.onAnswerTools !== undefined;
  const ready = results.length === calls.length && results.every(result => result.trim());
  const setResult = (i: number, value: string): void =>
    setResults(previous => calls.map((_, j) => (j === i ? value : (previous[j] ?? ''))));
  // Answered by a function of the notebook's kernel (when the app provides one), by hand or by itself.
  const kernel = useKernelAnswers({
    turn,
    calls,
    open,
    busy: props.busy,
    trans,
    setResult,
    onAnswerTools: props.onAnswerTools
  });
  return (
    <div className="jp-AquaExt-Turn-toolCalls" aria-label={trans.__('Tool calls')}>
      {calls.map((call, i) => {
        const tool = props.tools?.find(item => item.function.name === call.name);
        const check =
          tool && turn.status !== 'streaming'
            ? checkJson(call.arguments || '{}', tool.function.parameters ?? {}, trans)
            : null;
        return (
          <div key={call.id || i} className="jp-AquaExt-Turn-toolCall">
            <div className="jp-AquaExt-Turn-toolName">{trans.__('Calls %1', call.name || '…')}</div>
            <pre className="jp-AquaExt-Turn-toolArguments" aria-label={trans.__('Arguments of %1', call.name)}>
              {prettyArguments(call.arguments)}
            </pre>
            {check && !check.valid && (
              <div className="jp-AquaExt-Turn-schemaCheck jp-mod-invalid" role="status">
                {trans.__('The arguments do not follow the parameters of %1: %2', call.name, check.problems.join('; '))}
              </div>
            )}
            {call.result !== null ? (
              <div className="jp-AquaExt-Turn-toolResult">
                <span>{trans.__('Result')}</span>
                <pre>{call.result}</pre>
              </div>
            ) : (
              open && (
                <>
                  <KernelCallAnswer
                    call={call}
                    index={i}
                    answers={kernel}
                    disabled={props.busy}
                    trans={trans}
                    onUseResult={value => setResult(i, value)}
                  />
                  <textarea
                    className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
                    aria-label={trans.__('Result of %1', call.name)}
                    placeholder={trans.__('What the function returned (sent to the model as the tool message)')}
                    rows={2}
                    value={results[i] ?? ''}
                    onChange={event => setResult(i, event.target.value)}
                  />
                </>
              )
            )}
          </div>
        );
      })}
      {kernel.autoNote && open && (
        <div className="jp-AquaExt-Turn-kernelStatus" role="status">
          {kernel.autoNote}
        </div>
      )}
      {open && (
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-AquaExt-button"
          disabled={!ready || props.busy || kernel.running}
          onClick={() => props.onAnswerTools?.(turn.id, results)}
        >
          {trans._n('Send the result', 'Send the results', calls.length)}
        </button>
      )}
    </div>
  );
}
