import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { ConnectionModels, ConnectionSummary, TestConnectionResult } from '../../api/types';
import { ErrorState } from '../../ui/ErrorState';
import { SelectField, TextAreaField, ValueOptions } from '../../ui/FormField';
import { ModalDialog } from '../../ui/ModalDialog';
import { useFetched } from '../../ui/hooks/useFetched';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useDialogRequest } from '../../ui/hooks/useDialogRequest';
import { formatLatency } from './format';
import { errorKindLabel } from './labels';
import { TextButton } from '../../ui/TextButton';

export interface ITestDialogProps {
  client: IAquaClient;
  trans: TranslationBundle;
  connection: ConnectionSummary;
  onClose: () => void;
  /** A test ran (the list's "last test" changed). */
  onTested?: () => void;
}

/**
 * "Test request": one model of the service, the sample payload or a one-line
 * prompt, and what came back: status, latency, the answer, the provider's
 * error mapped to a human message, and the raw response (collapsed).
 */
export function TestDialog(props: ITestDialogProps): JSX.Element {
  const { client, trans, connection } = props;
  const id = useFieldIds('ConnectionTest');
  const loadModels = React.useCallback(() => client.listConnectionModels(connection.id), [client, connection.id]);
  const { value: listed, error: modelsError } = useFetched<ConnectionModels>(loadModels, null);
  const [model, setModel] = React.useState(connection.default_model ?? connection.models[0] ?? '');
  const [prompt, setPrompt] = React.useState('');
  const [result, setResult] = React.useState<TestConnectionResult | null>(null);
  const { busy: running, failure, run: request } = useDialogRequest();
  const models = listed?.models ?? connection.models;

  const run = (): Promise<void> =>
    request(async alive => {
      setResult(null);
      const answer = await client.testConnection(connection.id, {
        model: model || null,
        prompt: prompt.trim() ? prompt : null
      });
      if (alive()) {
        setResult(answer);
      }
      props.onTested?.();
    });

  return (
    <ModalDialog
      title={trans.__('Test “%1”', connection.name)}
      label={trans.__('Test request')}
      className="jp-AquaExt-FormDialog jp-AquaExt-ConnectionTestDialog"
      trans={trans}
      onClose={props.onClose}
    >
      <div className="jp-AquaExt-ModalDialog-body">
        <SelectField
          id={id('model')}
          field="model"
          label={trans.__('Model')}
          hint={
            listed?.message ||
            (listed?.source === 'service' ? trans.__('Listed by the service.') : trans.__('As configured.'))
          }
          value={model}
          disabled={running}
          onChange={setModel}
        >
          <option value="">{trans.__('The connection’s default')}</option>
          <ValueOptions values={models} current={model} />
        </SelectField>
        {modelsError !== null && (
          <ErrorState error={modelsError} trans={trans} title={trans.__('The service’s models could not be listed.')} />
        )}
        <TextAreaField
          id={id('prompt')}
          field="prompt"
          label={trans.__('Prompt (optional)')}
          hint={trans.__('Empty: the connection’s sample request is sent.')}
          rows={2}
          value={prompt}
          disabled={running}
          onChange={setPrompt}
        />
        {failure !== null && <ErrorState error={failure} trans={trans} title={trans.__('The test could not run.')} />}
        {running && (
          <div className="jp-AquaExt-muted" role="status">
            {trans.__('Waiting for the service…')}
          </div>
        )}
        {result && <TestResultView result={result} trans={trans} />}
      </div>
      <div className="jp-AquaExt-ModalDialog-footer">
        <TextButton kind="reject" label={trans.__('Close')} onClick={props.onClose} />
        <TextButton
          kind="accept"
          className="jp-AquaExt-runTestButton"
          label={trans.__('Send test request')}
          busy={running}
          busyLabel={trans.__('Testing…')}
          disabled={running}
          onClick={() => void run()}
        />
      </div>
    </ModalDialog>
  );
}

/** A test's outcome: status and latency, the answer or the mapped error, and the raw response. */
export function TestResultView(props: { result: TestConnectionResult; trans: TranslationBundle }): JSX.Element {
  const { result, trans } = props;
  return (
    <section
      className={`jp-AquaExt-TestResult ${result.ok ? 'jp-mod-ok' : 'jp-mod-failed'}`}
      aria-label={trans.__('Test result')}
    >
      <dl className="jp-AquaExt-TestResult-facts">
        <dt>{trans.__('Status')}</dt>
        <dd data-testid="test-status">
          {result.status_code === null ? trans.__('no answer') : String(result.status_code)}
          {' · '}
          {result.ok ? trans.__('OK') : trans.__('Failed')}
        </dd>
        <dt>{trans.__('Latency')}</dt>
        <dd data-testid="test-latency">{formatLatency(result.latency_ms, trans)}</dd>
      </dl>
      {result.error_kind && (
        <div className="jp-AquaExt-TestResult-error" role="alert">
          <div className="jp-AquaExt-TestResult-errorKind">{errorKindLabel(result.error_kind, trans)}</div>
          <div>{result.message}</div>
        </div>
      )}
      {/* An OK's message says what the facts above say already; a failure without a kind needs it. */}
      {!result.error_kind && !result.ok && <div className="jp-AquaExt-TestResult-message">{result.message}</div>}
      {result.answer !== null && (
        <div className="jp-AquaExt-TestResult-answer">
          <div className="jp-AquaExt-formField-label">{trans.__('Answer')}</div>
          <div data-testid="test-answer">{result.answer}</div>
        </div>
      )}
      <details className="jp-AquaExt-TestResult-raw">
        <summary>{trans.__('Raw response')}</summary>
        <pre>{result.response || trans.__('(empty)')}</pre>
      </details>
    </section>
  );
}
