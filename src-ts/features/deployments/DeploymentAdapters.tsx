/**
 * A deployment's LoRA adapters on its detail page: the ones it serves (served name, fine-tune, rank), and, where
 * the server allows it (the `adapters` action), adding and removing them. The set is sent whole; what the server
 * did (live, an engine restart followed by the page's progress, or saved for the next start) shows below.
 */
import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { DeploymentDetail, SetAdaptersResponse } from '../../api/types';
import { allows } from '../../shared/actions';
import { describeError } from '../../shared/errors';
import { FieldError } from '../../ui/FormField';
import { useFetched } from '../../ui/hooks/useFetched';
import { useMountedRef } from '../../ui/hooks/useMountedRef';
import {
  addableAdapters,
  adaptersRequest,
  appliedText,
  draftChanged,
  draftOf,
  placeAdapterErrors,
  withAdapter,
  withoutAdapter,
  type IAdapterErrors
} from './deploymentAdapters';

export interface IDeploymentAdaptersProps {
  client: IAquaClient;
  trans: TranslationBundle;
  detail: DeploymentDetail;
  /** The server's answer to a change (the deployment as it is now, and the restart's operation if any). */
  onApplied: (response: SetAdaptersResponse) => void;
}

const NO_ERRORS: IAdapterErrors = { list: null, byModel: {} };

export function DeploymentAdapters(props: IDeploymentAdaptersProps): JSX.Element | null {
  const { client, trans, detail } = props;
  const editable = allows(detail, 'adapters');
  const mounted = useMountedRef();
  const [draft, setDraft] = React.useState(() => draftOf(detail.adapters));
  const [picked, setPicked] = React.useState('');
  const [saving, setSaving] = React.useState(false);
  const [errors, setErrors] = React.useState<IAdapterErrors>(NO_ERRORS);
  const [result, setResult] = React.useState<string | null>(null);

  // A new answer from the server (a reload, another tab's change) replaces the draft (set while rendering, as
  // React advises for state derived from a changed prop: no render shows the stale draft).
  const servedKey = detail.adapters.map(item => `${item.model_id}=${item.name}`).join('|');
  const [shownKey, setShownKey] = React.useState(servedKey);
  if (shownKey !== servedKey) {
    setShownKey(servedKey);
    setDraft(draftOf(detail.adapters));
    setErrors(NO_ERRORS);
  }
  const errorId = `jp-AquaExt-adapters-${detail.id}-error`;

  // The deploy form's candidates: the target's LoRA fine-tunes (the server checks each fits this base).
  const load = React.useCallback(() => client.listModels({ source: 'fine-tuned' }).then(list => list.items), [client]);
  const fineTuned = useFetched(editable ? load : null, null);

  // Nothing to show or change (an engine that serves no adapters); kept while the answer to a change is shown (a
  // restart leaves the deployment UPDATING, which takes no other change meanwhile).
  if (!editable && detail.adapters.length === 0 && result === null) {
    return null;
  }
  const addable = fineTuned.value ? addableAdapters(fineTuned.value, detail, draft) : [];
  const changed = draftChanged(detail.adapters, draft);

  const save = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setSaving(true);
    setResult(null);
    try {
      const response = await client.setDeploymentAdapters(detail.id, adaptersRequest(draft));
      if (mounted.current) {
        setErrors(NO_ERRORS);
        setResult(appliedText(response, trans));
      }
      props.onApplied(response);
    } catch (reason) {
      if (mounted.current) {
        setErrors(placeAdapterErrors(reason, draft, trans));
      }
    } finally {
      if (mounted.current) {
        setSaving(false);
      }
    }
  };

  const add = (): void => {
    const model = addable.find(item => item.id === picked);
    if (model) {
      setDraft(withAdapter(draft, model));
      setPicked('');
      setResult(null);
    }
  };

  return (
    <section className="jp-AquaExt-DeploymentAdapters" aria-label={trans.__('LoRA adapters')}>
      <h3 className="jp-AquaExt-sectionTitle">{trans.__('LoRA adapters')}</h3>
      <form onSubmit={event => void save(event)} data-field="adapters" aria-describedby={errorId}>
        {draft.length === 0 ? (
          <p className="jp-AquaExt-formField-hint">{trans.__('None: the base model answers every request.')}</p>
        ) : (
          <table className="jp-AquaExt-DeploymentAdapters-table">
            <thead>
              <tr>
                <th scope="col">{trans.__('Name')}</th>
                <th scope="col">{trans.__('Fine-tune')}</th>
                <th scope="col">{trans.__('Rank')}</th>
                {editable && <th scope="col">{trans.__('Remove')}</th>}
              </tr>
            </thead>
            <tbody>
              {draft.map(item => (
                <tr key={item.model_id} className={errors.byModel[item.model_id] ? 'jp-mod-error' : undefined}>
                  <td>
                    {item.name ? (
                      <code>{item.name}</code>
                    ) : (
                      <span className="jp-AquaExt-muted">{trans.__('(named when saved)')}</span>
                    )}
                  </td>
                  <td>
                    {item.model_name} <code className="jp-AquaExt-muted">{item.model_id}</code>
                    <FieldError>{errors.byModel[item.model_id]}</FieldError>
                  </td>
                  <td>{item.rank ?? trans.__('unknown')}</td>
                  {editable && (
                    <td>
                      <button
                        type="button"
                        className="jp-AquaExt-linkButton"
                        disabled={saving}
                        aria-label={trans.__('Remove the adapter %1', item.name ?? item.model_name)}
                        onClick={() => {
                          setDraft(withoutAdapter(draft, item.model_id));
                          setResult(null);
                        }}
                      >
                        {trans.__('Remove')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {editable && (
          <div className="jp-AquaExt-DeploymentAdapters-controls">
            {fineTuned.error ? (
              <span className="jp-AquaExt-formField-hint">
                {trans.__('The fine-tuned models could not be listed: %1', describeError(fineTuned.error, trans))}
              </span>
            ) : (
              <>
                <select
                  className="jp-mod-styled jp-AquaExt-select"
                  aria-label={trans.__('Fine-tune to add as an adapter')}
                  value={picked}
                  disabled={saving || addable.length === 0}
                  onChange={event => setPicked(event.target.value)}
                >
                  <option value="">
                    {fineTuned.value === null
                      ? trans.__('Loading fine-tunes…')
                      : addable.length
                        ? trans.__('Choose a LoRA fine-tune…')
                        : trans.__('No other LoRA fine-tune on this target')}
                  </option>
                  {addable.map(model => (
                    <option key={model.id} value={model.id}>
                      {model.name}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  className="jp-mod-styled jp-AquaExt-button"
                  disabled={saving || !picked}
                  onClick={add}
                >
                  {trans.__('Add adapter')}
                </button>
              </>
            )}
            <button
              type="submit"
              className="jp-mod-styled jp-mod-accept jp-AquaExt-button"
              disabled={saving || !changed}
            >
              {saving ? trans.__('Applying…') : trans.__('Apply adapters')}
            </button>
            {changed && (
              <button
                type="button"
                className="jp-mod-styled jp-AquaExt-button"
                disabled={saving}
                onClick={() => {
                  setDraft(draftOf(detail.adapters));
                  setErrors(NO_ERRORS);
                }}
              >
                {trans.__('Discard changes')}
              </button>
            )}
          </div>
        )}
        <div className="jp-AquaExt-formField-hint">
          {trans.__(
            'A request whose model is an adapter’s name gets that adapter; any other, the base model. Adapters must be trained on this model (the server checks).'
          )}
        </div>
        <FieldError id={errorId}>{errors.list}</FieldError>
        {result && (
          <p className="jp-AquaExt-DeploymentAdapters-result" role="status">
            {result}
          </p>
        )}
      </form>
    </section>
  );
}
