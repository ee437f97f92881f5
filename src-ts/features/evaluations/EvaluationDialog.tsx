import * as React from 'react';

import type { CreateEvaluationResponse, EvaluationMetric, Info, ValidateDatasetRequest } from '../../api/types';
import { allows } from '../../shared/actions';
import { useFormTarget, useTargetChange } from '../../ui/hooks/useFormTarget';
import { isGenAiTarget } from '../../shared/targets';
import { deploymentSubjects, parseTargetKey, subjectName } from '../../shared/chatTarget';
import { loadOnDemandModels } from '../../shared/onDemand';
import { OnDemandOptions } from '../../ui/OnDemandOptions';
import { useLatest } from '../../ui/hooks/useLatest';
import { TargetField } from '../../ui/TargetField';
import {
  buildEvaluationRequest,
  CONNECTION_TARGET,
  defaultEvaluationName,
  EVALUATION_FIELDS,
  EVALUATION_LIMITS,
  evaluatedName,
  hasErrors,
  initialEvaluationForm,
  ociFields,
  placeEvaluationErrors,
  validateEvaluationForm,
  type DatasetSource,
  type EvaluatedKind,
  type EvaluationErrors,
  type EvaluationField,
  type IEvaluationForm,
  type SamplingErrors
} from './evaluationForm';
import { metricDescription, metricLabel, METRICS } from './format';
import { JudgeFieldset } from './JudgeFieldset';
import {
  buildJudgeSettings,
  initialJudgeForm,
  judgeCandidates,
  placeJudgeErrors,
  validateJudgeForm,
  type IJudgeForm,
  type JudgeErrors
} from './judgeForm';
import { evaluationPreflightKey, evaluationPreflightRequest, evaluationResult } from './preflight';
import { errorResult, type IPreflightResult } from '../../shared/datasetPreflight';
import type { ISamplingForm } from '../../shared/sampling';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { CheckedDatasetField, DatasetBlockedNotice, useDialogDataset } from '../../ui/CheckedDatasetField';
import {
  AdvancedOptions,
  CreateDialog,
  DescriptionField,
  type IDatasetDialogProps,
  PickerField,
  pickerHint
} from '../../ui/DialogParts';
import { describeError } from '../../shared/errors';
import { bindInput, boundTextField, type IFormBinding, OciJobFieldset } from '../../ui/formInputs';
import { FieldError, ValueOptions } from '../../ui/FormField';
import { SamplingPanel } from '../../ui/SamplingPanel';
import { useDialogFocus } from '../../ui/hooks/useDialogFocus';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useDatasetPreflight } from '../../ui/hooks/useDatasetPreflight';
import { useFetched } from '../../ui/hooks/useFetched';
import { useAdvancedOptions } from '../../ui/hooks/useAdvancedOptions';
import { useFormSubmit } from '../../ui/hooks/useFormSubmit';

export interface IEvaluationDialogProps extends IDatasetDialogProps<CreateEvaluationResponse> {
  /** The enabled targets (`GET info`): with several, the form picks one and offers its deployments. */
  info?: Info | null;
  /** The deployment to evaluate (opened from its detail); the picker still offers the others. */
  deploymentId?: string | null;
  /** The connection to evaluate (opened from its row in Connections); the picker still offers the others. */
  connectionId?: string | null;
  /** Evaluate on this fine-tune's training data (opened from its detail). */
  finetuneId?: string | null;
}

type FormKey = keyof IEvaluationForm;

/** The request field each input feeds (editing it clears that field's error). */
const FORM_FIELDS: Partial<Record<FormKey, keyof EvaluationErrors>> = {
  deploymentId: 'deployment_id',
  connectionId: 'connection_id',
  connectionModel: 'connection_model',
  name: 'name',
  description: 'description',
  datasetPath: 'dataset_path',
  finetuneId: 'finetune_id',
  sampleSize: 'sample_size',
  metrics: 'metrics',
  concurrency: 'concurrency',
  shape: 'shape',
  reportUri: 'report_uri',
  logGroupId: 'log_group_id',
  logId: 'log_id'
};

const ADVANCED: ReadonlyArray<keyof EvaluationErrors> = ['concurrency', 'shape', 'log_group_id', 'log_id'];

/**
 * Evaluate a deployment (ACTIVE only) or a connection (one that answers text,
 * with one of its models; it runs on the local target), a name, the rows (a JSONL
 * file with its inline preflight, or a fine-tune's training data) and an
 * optional sample, the metrics, how the model is asked (the playground's
 * sampling fields), concurrency, and on OCI where the report and log go.
 */
export function EvaluationDialog(props: IEvaluationDialogProps): JSX.Element {
  const { client, trans } = props;
  const debounceMs = props.debounceMs ?? 400;
  const id = useFieldIds('evaluation');

  const [form, setForm] = React.useState<IEvaluationForm>(() =>
    initialEvaluationForm({
      deploymentId: props.deploymentId,
      connectionId: props.connectionId,
      finetuneId: props.finetuneId,
      datasetPath: props.datasetPath
    })
  );
  const asksConnection = form.asks === 'connection';
  // The target is the chosen deployment's (the server evaluates a deployment on its own target);
  // a connection is evaluated on the local target, which the form then holds to.
  const formTarget = useFormTarget(props.info ?? null, props.backendKind, asksConnection ? CONNECTION_TARGET : null);
  const backendKind = formTarget.kind;
  const onOci = ociFields(form, backendKind);
  // Whether the server can evaluate a connection here (unknown until `GET info` answered: assume so).
  const localEnabled = !props.info || props.info.targets.some(target => target.name === CONNECTION_TARGET);
  const touched = React.useRef(new Set<FormKey>());
  const [samplingErrors, setSamplingErrors] = React.useState<SamplingErrors>({});
  const advanced = useAdvancedOptions(ADVANCED);
  const [deploymentsVersion, setDeploymentsVersion] = React.useState(0);
  const [connectionsVersion, setConnectionsVersion] = React.useState(0);
  const [judge, setJudge] = React.useState<IJudgeForm>(initialJudgeForm);
  const [judgeErrors, setJudgeErrors] = React.useState<JudgeErrors>({});
  const judgeState = {
    value: judge,
    errors: judgeErrors,
    onChange: (next: IJudgeForm) => {
      setJudge(next);
      setJudgeErrors({});
    }
  };
  const refusedSource = React.useRef<{
    asks: EvaluatedKind;
    source: DatasetSource;
    requestKey: string;
    hasRequest: boolean;
  }>({
    asks: 'deployment',
    source: 'file',
    requestKey: '',
    hasRequest: false
  });
  const formSubmit = useFormSubmit<EvaluationField>({
    trans,
    fields: EVALUATION_FIELDS,
    placeRefusal: reason => {
      const at = refusedSource.current;
      setSamplingErrors({});
      if (reason.kind === 'api' && reason.status === 409) {
        // The deployment stopped being ACTIVE meanwhile (or the connection no longer answers text):
        // say so under it, and list them again.
        if (at.asks === 'connection') {
          setConnectionsVersion(n => n + 1);
          return { byField: { connection_id: describeError(reason, trans) }, other: [] };
        }
        setDeploymentsVersion(n => n + 1);
        return { byField: { deployment_id: describeError(reason, trans) }, other: [] };
      }
      // The judge's errors (`judge.judges.0.deployment_id`…) go to the Judge section, not to the
      // deployment asked, whose field name they end with.
      const judged = placeJudgeErrors(reason.fields);
      setJudgeErrors(judged.judge);
      if (Object.keys(judged.judge).length > 0 && judged.rest.length === 0) {
        return { byField: {}, other: [], quiet: true };
      }
      if (judged.rest.length > 0) {
        const placed = placeEvaluationErrors(judged.rest);
        const lines = placed.other.filter(item => /^line \d+/i.test(item.message) || /line/.test(item.field));
        if (lines.length > 0 && at.hasRequest) {
          preflight.show(errorResult(at.requestKey, reason, e => describeError(e, trans)));
        }
        setSamplingErrors(placed.sampling);
        if (Object.keys(placed.sampling).length > 0) {
          advanced.setOpen(true);
        }
        return {
          byField: placed.byField,
          other: placed.other.filter(item => !lines.includes(item)),
          quiet: placed.other.length > 0 || Object.keys(placed.sampling).length > 0
        };
      }
      if (reason.kind === 'api' && reason.status === 404) {
        const message = describeError(reason, trans);
        if (at.asks === 'connection' && /connection/i.test(reason.message)) {
          setConnectionsVersion(n => n + 1);
          return { byField: { connection_id: message }, other: [] };
        }
        return { byField: at.source === 'file' ? { dataset_path: message } : { finetune_id: message }, other: [] };
      }
      return undefined;
    },
    onShow: advanced.openOnError
  });
  const { errors, submitting, showErrors, clearErrors, addError, submit } = formSubmit;
  const firstInput = React.useRef<HTMLSelectElement | null>(null);

  useDialogFocus(firstInput);

  // The deployments that can answer (the preselected one stays listed, with why it cannot);
  // none while they cannot be listed.
  const loadDeployments = React.useCallback(() => client.listDeployments().then(list => list.items), [client]);
  const listedDeployments = useFetched(loadDeployments, deploymentsVersion);
  const deploymentsError = listedDeployments.error;
  const deployments = React.useMemo(
    () => (deploymentsError !== null ? [] : listedDeployments.value),
    [deploymentsError, listedDeployments.value]
  );

  // The genai target's on-demand models that answer text: evaluated by OCID as deployments are (from the local job).
  const genaiEnabled = props.info?.targets.some(target => target.kind === 'genai') ?? false;
  const loadOnDemand = React.useMemo(
    () =>
      genaiEnabled
        ? () => loadOnDemandModels(client).then(models => models.filter(item => allows(item, 'evaluate')))
        : null,
    [client, genaiEnabled]
  );
  const onDemand = useFetched(loadOnDemand, deploymentsVersion).value ?? [];
  const onDemandChosen = onDemand.find(item => item.id === form.deploymentId) ?? null;

  const loadFineTunes = React.useCallback(
    () => client.listFineTunes().then(list => list.items.filter(job => allows(job, 'evaluate'))),
    [client]
  );
  const listedFineTunes = useFetched(loadFineTunes, null);
  const finetunes = listedFineTunes.error !== null ? [] : listedFineTunes.value;

  // The connections that answer text (the preselected one stays listed, with why it cannot).
  const loadConnections = React.useCallback(() => client.listConnections().then(list => list.connections), [client]);
  const listedConnections = useFetched(loadConnections, connectionsVersion);
  const connectionsError = listedConnections.error;
  const connections = connectionsError !== null ? [] : listedConnections.value;
  const connection = connections?.find(item => item.id === form.connectionId) ?? null;
  const evaluableConnections = (connections ?? []).filter(item => allows(item, 'evaluate'));
  const listedConnectionChoices =
    connection && !allows(connection, 'evaluate') ? [connection, ...evaluableConnections] : evaluableConnections;

  // A connection's model starts at its default (else its first) whenever another connection is chosen.
  const connectionKey = connection?.id ?? '';
  const connectionRef = useLatest(connection);
  React.useEffect(() => {
    const chosen = connectionRef.current;
    if (chosen) {
      setForm(previous => ({ ...previous, connectionModel: chosen.default_model ?? chosen.models[0] ?? '' }));
    }
  }, [connectionKey, connectionRef]);

  // Judges: any deployment or connection that chats; grading runs in the local evaluation job.
  const candidates =
    deployments === null && connections === null ? null : judgeCandidates(deployments, connections, onDemand);
  const judgeAllowed = backendKind === CONNECTION_TARGET;

  // The picker's key names the deployment, and the adapter that answers when one is chosen.
  const deploymentRef = parseTargetKey(form.deploymentId);
  const deployment = deployments?.find(item => item.id === deploymentRef.id) ?? null;
  const finetune = finetunes?.find(item => item.id === form.finetuneId) ?? null;
  // A Generative AI endpoint runs no job itself (the server asks it from the local target): listed on any target.
  const evaluable = (deployments ?? []).filter(
    item => allows(item, 'evaluate') && (formTarget.holds(item) || isGenAiTarget(props.info ?? null, item.target))
  );

  // A deployment chosen elsewhere (its detail, the only active one) brings its target; another
  // target picked here offers that target's deployments.
  const onTarget = useLatest({ deployment, formTarget });
  const chosenId = deployment?.id ?? '';
  React.useEffect(() => {
    const { deployment, formTarget } = onTarget.current;
    if (deployment && !formTarget.holds(deployment)) {
      formTarget.choose(deployment.target);
    }
  }, [chosenId, onTarget]);
  useTargetChange(formTarget, () => {
    // Asking a connection moves the form to the local target for a while; the deployment stays chosen.
    if (form.asks === 'deployment' && deployment && !formTarget.holds(deployment)) {
      setForm(previous => ({ ...previous, deploymentId: '' }));
    }
  });
  const listed = deployment && !allows(deployment, 'evaluate') ? [deployment, ...evaluable] : evaluable;

  // The name follows the deployment and the data until the user names it.
  const autoName = defaultEvaluationName(
    evaluatedName(
      form,
      deployment && deploymentRef.adapter
        ? { name: subjectName(deployment.name, deploymentRef.adapter) }
        : (deployment ?? onDemandChosen),
      connection,
      trans
    ),
    form,
    finetune?.name,
    trans
  );
  React.useEffect(() => {
    if (!touched.current.has('name')) {
      setForm(previous => (previous.name === autoName ? previous : { ...previous, name: autoName }));
    }
  }, [autoName]);

  // The only active deployment is the obvious choice.
  React.useEffect(() => {
    const active = (deployments ?? []).filter(item => allows(item, 'evaluate'));
    if (active.length === 1) {
      setForm(previous => (previous.deploymentId ? previous : { ...previous, deploymentId: active[0].id }));
    }
  }, [deployments]);

  const checkDataset = React.useCallback(
    async (request: ValidateDatasetRequest, key: string): Promise<IPreflightResult> =>
      evaluationResult(key, await client.validateDataset(request), trans),
    [client, trans]
  );

  const request = evaluationPreflightRequest(form);
  const requestKey = evaluationPreflightKey(request);
  const preflight = useDatasetPreflight({
    request,
    keyOf: evaluationPreflightKey,
    check: checkDataset,
    delayMs: debounceMs * 2,
    trans
  });

  const dataset = useDialogDataset(props, preflight, onOci, addError);

  const update = (patch: Partial<IEvaluationForm>): void => {
    const keys = Object.keys(patch) as FormKey[];
    keys.forEach(key => touched.current.add(key));
    setForm(previous => ({ ...previous, ...patch }));
    const edited = keys.map(key => FORM_FIELDS[key]).filter((field): field is keyof EvaluationErrors => !!field);
    if (keys.includes('source')) {
      edited.push('dataset_path', 'finetune_id');
    }
    clearErrors(edited);
  };

  const updateSampling = (sampling: ISamplingForm): void => {
    setForm(previous => ({ ...previous, sampling }));
    setSamplingErrors(previous => {
      const next: SamplingErrors = {};
      for (const [key, message] of Object.entries(previous) as Array<[keyof ISamplingForm, string]>) {
        if (JSON.stringify(form.sampling[key]) === JSON.stringify(sampling[key])) {
          next[key] = message;
        }
      }
      return next;
    });
  };

  const toggleMetric = (metric: EvaluationMetric, on: boolean): void => {
    update({
      metrics: on
        ? METRICS.filter(m => m === metric || form.metrics.includes(m))
        : form.metrics.filter(m => m !== metric)
    });
  };

  const onSubmit = (event: React.FormEvent): Promise<void> | void => {
    event.preventDefault();
    if (dataset.uploading) {
      return;
    }
    refusedSource.current = { asks: form.asks, source: form.source, requestKey, hasRequest: request !== null };
    return submit(null, {
      validate: () => {
        const local = validateEvaluationForm(form, backendKind, trans);
        setSamplingErrors(local.sampling);
        if (Object.keys(local.sampling).length > 0) {
          advanced.setOpen(true);
        }
        showErrors(local.errors);
        const judging = judgeAllowed ? validateJudgeForm(judge, candidates, trans) : {};
        setJudgeErrors(judging);
        return !hasErrors(local) && Object.keys(judging).length === 0;
      },
      send: async alive => {
        if (!(await dataset.ready(alive))) {
          return null;
        }
        const body = buildEvaluationRequest(form, backendKind, trans);
        const judging = judgeAllowed ? buildJudgeSettings(judge, candidates) : undefined;
        if (judging) {
          body.judge = judging;
        }
        // A connection's evaluation names no target unless several are enabled (then the local one).
        return client.createEvaluation({ ...body, target: formTarget.requestTarget });
      },
      done: response => {
        props.notify(
          trans.__(
            'Evaluating “%1” on %2 rows.',
            response.evaluation.deployment_name,
            response.evaluation.rows_total || response.preflight.valid_rows
          ),
          'info'
        );
        props.onCreated(response);
      }
    });
  };

  const binding: IFormBinding<IEvaluationForm, EvaluationField> = {
    form,
    errors,
    busy: submitting,
    update,
    id,
    fields: FORM_FIELDS
  };
  const textField = boundTextField(binding);

  const noneActive = deployments !== null && evaluable.length === 0 && onDemand.length === 0;
  const noConnection = connections !== null && evaluableConnections.length === 0;
  const nothingToAsk = asksConnection ? noConnection || !localEnabled : noneActive;
  const connectionReason = !localEnabled
    ? trans.__('Evaluating a connection runs on the local target, which is not enabled here.')
    : connectionsError !== null
      ? describeError(connectionsError, trans)
      : noConnection
        ? trans.__('No connection answers chat or completions: add one in Connections.')
        : null;
  const selectRef = (element: HTMLSelectElement | null): void => {
    firstInput.current = element;
  };
  const preselected =
    deployment && props.deploymentId === deployment.id && !asksConnection
      ? deployment.name
      : connection && props.connectionId === connection.id && asksConnection
        ? connection.name
        : null;

  return (
    <CreateDialog
      dialog={props}
      title={preselected ? trans.__('Evaluate “%1”', preselected) : trans.__('New evaluation')}
      label={trans.__('New evaluation')}
      className="jp-AquaExt-EvaluationDialog"
      form={formSubmit}
      onSubmit={onSubmit}
      submitClassName="jp-AquaExt-evaluationSubmit"
      submitDisabled={submitting || dataset.holds || nothingToAsk}
      submitLabel={trans.__('Start evaluation')}
      submittingLabel={trans.__('Starting…')}
      notice={<DatasetBlockedNotice dataset={dataset} />}
    >
      <ChoiceGroup<EvaluatedKind>
        {...bindInput(binding, 'asks')}
        legend={trans.__('What to evaluate')}
        choices={[
          {
            value: 'deployment',
            label: trans.__('A deployment'),
            description: trans.__('A model you deployed, on the target it runs on.')
          },
          {
            value: 'connection',
            label: trans.__('A connection'),
            description: trans.__('A hosted service (Connections), asked from this machine: the local target.'),
            // The preselected connection stays choosable: its picker says what is wrong.
            disabled: !asksConnection && connectionReason !== null,
            reason: !asksConnection ? connectionReason : null
          }
        ]}
      />
      {!asksConnection && (
        <TargetField
          id={id('target')}
          formTarget={formTarget}
          disabled={submitting}
          hint={trans.__('Where the evaluation runs; the deployments listed are that target’s.')}
          trans={trans}
        />
      )}
      {asksConnection ? (
        <>
          <PickerField
            id={id('connection_id')}
            field="connection_id"
            label={trans.__('Connection')}
            error={errors.connection_id}
            hint={
              connectionReason ??
              (connection && !allows(connection, 'evaluate')
                ? trans.__('This connection answers no chat or completions (%1).', connection.capabilities.join(', '))
                : trans.__('Evaluated on the local target: this server asks the service, with the key kept here.'))
            }
            value={form.connectionId}
            disabled={submitting}
            loaded={connections !== null}
            loadingLabel={trans.__('Loading connections…')}
            chooseLabel={trans.__('Choose a connection…')}
            selectRef={selectRef}
            onChange={connectionId => update({ connectionId })}
          >
            {form.connectionId && connections !== null && !connection && (
              <option value={form.connectionId}>{form.connectionId}</option>
            )}
            {listedConnectionChoices.map(item => (
              <option key={item.id} value={item.id} disabled={!allows(item, 'evaluate')}>
                {item.name}
              </option>
            ))}
          </PickerField>
          {connection && connection.models.length > 0 ? (
            <PickerField
              id={id('connection_model')}
              field="connection_model"
              label={trans.__('Model')}
              error={errors.connection_model}
              hint={trans.__('Which of the connection’s models answers.')}
              value={form.connectionModel}
              disabled={submitting}
              loaded={true}
              loadingLabel=""
              chooseLabel={
                connection.default_model
                  ? trans.__('Default (%1)', connection.default_model)
                  : trans.__('The service’s default')
              }
              onChange={connectionModel => update({ connectionModel })}
            >
              <ValueOptions values={connection.models} current={form.connectionModel} />
            </PickerField>
          ) : (
            connection &&
            textField('connectionModel', trans.__('Model (optional)'), {
              maxLength: EVALUATION_LIMITS.connectionModel,
              placeholder: trans.__('the service’s default'),
              hint: trans.__('The connection lists no models: name one, or leave it to the service.')
            })
          )}
        </>
      ) : (
        <PickerField
          id={id('deployment_id')}
          field="deployment_id"
          label={trans.__('Deployment')}
          error={errors.deployment_id}
          hint={pickerHint(
            trans,
            deploymentsError,
            noneActive && trans.__('No deployment is active: deploy a model (or activate a deployment) first.'),
            deployment && !allows(deployment, 'evaluate')
              ? deployment.mode === 'embedding'
                ? trans.__('An embedding deployment has no answers to score.')
                : trans.__('This deployment is not active: activate it first.')
              : trans.__('Only active deployments answer prompts.')
          )}
          value={form.deploymentId}
          disabled={submitting}
          loaded={deployments !== null}
          loadingLabel={trans.__('Loading deployments…')}
          chooseLabel={trans.__('Choose a deployment…')}
          selectRef={selectRef}
          onChange={deploymentId => update({ deploymentId })}
        >
          {listed.flatMap(item =>
            deploymentSubjects(item).map(entry => (
              <option key={entry.key} value={entry.key} disabled={!allows(item, 'evaluate')}>
                {trans.__('%1 — %2', entry.label, item.model_name)}
                {allows(item, 'evaluate') ? '' : ` (${item.state.toLowerCase()})`}
              </option>
            ))
          )}
          <OnDemandOptions models={onDemand} trans={trans} />
        </PickerField>
      )}
      {textField('name', trans.__('Name'), { maxLength: EVALUATION_LIMITS.name })}
      <DescriptionField
        {...bindInput(binding, 'description')}
        trans={trans}
        maxLength={EVALUATION_LIMITS.description}
      />

      <ChoiceGroup<DatasetSource>
        {...bindInput(binding, 'source')}
        legend={trans.__('Rows to evaluate on')}
        choices={[
          {
            value: 'file',
            label: trans.__('A dataset'),
            description: trans.__('A JSONL file of {"prompt", "completion"[, "category"]} rows.')
          },
          {
            value: 'finetune',
            label: trans.__('The training data of a fine-tune'),
            description: trans.__('The snapshot a fine-tuning job trained on: how well did it learn?'),
            disabled: finetunes !== null && finetunes.length === 0,
            reason:
              finetunes !== null && finetunes.length === 0 ? trans.__('No fine-tuning job has succeeded yet.') : null
          }
        ]}
      />
      {form.source === 'file' ? (
        <>
          <CheckedDatasetField
            {...bindInput(binding, 'datasetPath')}
            dataset={dataset}
            maxLength={EVALUATION_LIMITS.datasetPath}
            placeholder={trans.__('datasets/eval.jsonl')}
          />
        </>
      ) : (
        <PickerField
          id={id('finetune_id')}
          field="finetune_id"
          label={trans.__('Fine-tuning job')}
          error={errors.finetune_id}
          value={form.finetuneId}
          disabled={submitting}
          loaded={finetunes !== null}
          loadingLabel={trans.__('Loading fine-tuning jobs…')}
          chooseLabel={trans.__('Choose a fine-tuning job…')}
          onChange={finetuneId => update({ finetuneId })}
        >
          {form.finetuneId && finetunes !== null && !finetune && (
            <option value={form.finetuneId}>{form.finetuneId}</option>
          )}
          {(finetunes ?? []).map(item => (
            <option key={item.id} value={item.id}>
              {trans.__('%1 — %2', item.name, item.base_model_name)}
            </option>
          ))}
        </PickerField>
      )}
      {textField('sampleSize', trans.__('Sample size (optional)'), {
        numeric: true,
        placeholder: trans.__('every row'),
        hint: trans.__('Evaluate a reproducible random sample of this many rows; empty: every row.')
      })}

      <fieldset
        className={
          errors.metrics
            ? 'jp-AquaExt-fieldset jp-AquaExt-EvaluationDialog-metrics jp-mod-error'
            : 'jp-AquaExt-fieldset jp-AquaExt-EvaluationDialog-metrics'
        }
        data-field="metrics"
        aria-describedby={errors.metrics ? `${id('metrics')}-error` : undefined}
      >
        <legend className="jp-AquaExt-formField-label">{trans.__('Metrics')}</legend>
        <div className="jp-AquaExt-EvaluationDialog-metricGrid">
          {METRICS.map(metric => (
            <label key={metric} className="jp-AquaExt-choice" data-metric={metric}>
              <input
                type="checkbox"
                checked={form.metrics.includes(metric)}
                disabled={submitting}
                onChange={event => toggleMetric(metric, event.target.checked)}
              />
              <span className="jp-AquaExt-choice-text">
                <span className="jp-AquaExt-choice-label">{metricLabel(metric, trans)}</span>
                <span className="jp-AquaExt-choice-reason">{metricDescription(metric, trans)}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldError id={`${id('metrics')}-error`}>{errors.metrics}</FieldError>
      </fieldset>

      {judgeAllowed && (
        <JudgeFieldset id={id} trans={trans} candidates={candidates} disabled={submitting} state={judgeState} />
      )}

      {onOci && (
        <>
          {textField('reportUri', trans.__('Report location'), {
            placeholder: 'oci://bucket@namespace/prefix',
            maxLength: EVALUATION_LIMITS.reportUri,
            hint: trans.__('Where the report goes: a versioned Object Storage bucket.')
          })}
        </>
      )}

      <AdvancedOptions trans={trans} open={advanced.open} onToggle={advanced.setOpen}>
        <fieldset className="jp-AquaExt-fieldset jp-AquaExt-EvaluationDialog-params" data-field="params">
          <legend className="jp-AquaExt-formField-label">{trans.__('Model parameters')}</legend>
          <SamplingPanel value={form.sampling} errors={samplingErrors} trans={trans} onChange={updateSampling} />
        </fieldset>
        {textField('concurrency', trans.__('Concurrency'), {
          numeric: true,
          hint: trans.__('Requests in flight at once (1 to %1).', EVALUATION_LIMITS.concurrency[1])
        })}
        {onOci && (
          <OciJobFieldset
            trans={trans}
            legend={trans.__('Job and logging')}
            textField={textField}
            ociIdMaxLength={EVALUATION_LIMITS.ociId}
          >
            {textField('shape', trans.__('Shape (optional)'), {
              placeholder: 'VM.Standard.E4.Flex',
              maxLength: EVALUATION_LIMITS.shape,
              hint: trans.__('The evaluation job’s CPU shape; empty lets the server choose.')
            })}
          </OciJobFieldset>
        )}
      </AdvancedOptions>
    </CreateDialog>
  );
}
