import * as React from 'react';

import type {
  CreateFineTuneResponse,
  FineTuneDefaults,
  Info,
  ModelSummary,
  TrainingFit,
  TrainingType,
  ValidateDatasetRequest
} from '../../api/types';
import {
  ADVANCED_FIELDS,
  applyDefaults,
  buildFineTuneRequest,
  defaultJobName,
  fitQuery,
  fitTargetFor,
  FINETUNE_FIELDS,
  FORM_FIELDS,
  initialFineTuneForm,
  isFineTunable,
  LIMITS,
  placeFineTuneErrors,
  queryKey,
  validateFineTuneForm,
  type FineTuneErrors,
  type FineTuneField,
  type FormKey,
  type IFineTuneForm
} from './finetuneForm';
import { errorResult, isTokenizerMissing, okResult, type IPreflightResult } from '../../shared/datasetPreflight';
import { preflightKey, preflightRequest } from './preflight';
import { formatInteger } from '../../shared/format';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { CheckedDatasetField, DatasetBlockedNotice, useDialogDataset } from '../../ui/CheckedDatasetField';
import {
  AdvancedOptions,
  DescriptionField,
  type IDatasetDialogProps,
  ModelPickerField,
  pickerHint
} from '../../ui/DialogParts';
import { describeError } from '../../shared/errors';
import { useDialogFocus } from '../../ui/hooks/useDialogFocus';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useDatasetPreflight } from '../../ui/hooks/useDatasetPreflight';
import { useFetched } from '../../ui/hooks/useFetched';
import { useAdvancedOptions } from '../../ui/hooks/useAdvancedOptions';
import { useFormSubmit } from '../../ui/hooks/useFormSubmit';
import { useLatest } from '../../ui/hooks/useLatest';
import { useFormTarget, useGenAiHandOff, useTargetChange } from '../../ui/hooks/useFormTarget';
import { TargetField } from '../../ui/TargetField';
import { FineTuneAdvancedFields, FineTuneShapeField, fineTuneInputs } from './FineTuneFields';
import { TrainingFitView } from './TrainingFitView';
import { bindInput } from '../../ui/formInputs';
import { TerraformCreateDialog, useTerraformExport } from '../../ui/TerraformDialog';
import type { CopyToClipboard } from '../../shared/callbacks';
import type { DownloadText } from '../../shared/download';

export interface IFineTuneDialogProps extends IDatasetDialogProps<CreateFineTuneResponse> {
  /** The enabled targets (`GET info`): with several, the form picks one and offers its models. */
  info?: Info | null;
  /** The base model to start from (opened from a model); the picker still offers the others. */
  model: ModelSummary | null;
  /** The user chose a Generative AI target: its fine-tune form takes over (not given: no such target is offered). */
  onGenAi?: (model: ModelSummary | null) => void;
  /** The Terraform export's Copy (not given: no Terraform button). */
  copyToClipboard?: CopyToClipboard;
  /** The Terraform export's Download (default: the browser's; tests pass a fake). */
  download?: DownloadText;
}

/** The dataset check waits a little longer than the fit: it reads the whole file. */
const PREFLIGHT_DELAY_FACTOR = 2;

/**
 * Fine-tune a model: base model, name, dataset (path, Browse…, Upload…) with
 * its inline preflight, split, training type and hyperparameters, the shape
 * with its training memory fit, and (on OCI) nodes, output location,
 * experiment, subnet and logging. Defaults come from the model.
 */
export function FineTuneDialog(props: IFineTuneDialogProps): JSX.Element {
  const { client, trans } = props;
  // The target the job runs on: the given model's first (as the server defaults), or the user's pick.
  const formTarget = useFormTarget(props.info ?? null, props.backendKind, null, props.model?.target, !!props.onGenAi);
  const backendKind = formTarget.kind;
  useGenAiHandOff(formTarget, () => props.onGenAi?.(props.model));
  const onOci = backendKind === 'oci';
  const debounceMs = props.debounceMs ?? 400;
  const id = useFieldIds('finetune');

  const [form, setForm] = React.useState<IFineTuneForm>(() =>
    initialFineTuneForm(props.model && isFineTunable(props.model) ? props.model : null, props.datasetPath ?? '')
  );
  const touched = React.useRef(new Set<FormKey>());
  const [defaults, setDefaults] = React.useState<FineTuneDefaults | null>(null);
  const [defaultsError, setDefaultsError] = React.useState<unknown>(null);
  const [fit, setFit] = React.useState<TrainingFit | null>(null);
  const [defaultsLoading, setDefaultsLoading] = React.useState(false);
  const [fitRefreshing, setFitRefreshing] = React.useState(false);
  const fitKey = React.useRef('');
  const advanced = useAdvancedOptions(ADVANCED_FIELDS);
  const formSubmit = useFormSubmit<FineTuneField>({
    trans,
    fields: FINETUNE_FIELDS,
    placeRefusal: reason => {
      if (!reason.fields || reason.fields.length === 0) {
        return undefined;
      }
      const placed = placeFineTuneErrors(reason.fields);
      const byField: FineTuneErrors = { ...placed.byField };
      if (placed.lines.length > 0) {
        // The job's own preflight found bad lines: list them where the check shows.
        preflight.show(errorResult(requestKeyRef.current, reason, e => describeError(e, trans)));
        byField.dataset_path = trans._n(
          '%1 invalid line in the dataset.',
          '%1 invalid lines in the dataset.',
          placed.lines.length
        );
      }
      return { byField, other: placed.other };
    },
    onShow: advanced.openOnError
  });
  const { errors, submitting, showErrors, clearErrors, addError, submit } = formSubmit;
  // The form as Terraform and SDK calls (OCI): asked for with the create's checks, shown over the form.
  const terraform = useTerraformExport(submit);
  const firstInput = React.useRef<HTMLSelectElement | null>(null);
  const formRef = React.useRef(form);
  formRef.current = form;

  // The models that can be fine-tuned (the given one stays listed, with why it cannot be; the only
  // one while they cannot be listed).
  const given = props.model;
  const loadModels = React.useCallback(
    () =>
      client.listModels().then(list => {
        const ready = list.items.filter(isFineTunable);
        return given && !ready.some(item => item.id === given.id) ? [given, ...ready] : ready;
      }),
    [client, given]
  );
  const listedModels = useFetched(loadModels, null);
  const modelsError = listedModels.error;
  const models = modelsError !== null ? (given ? [given] : []) : (listedModels.value ?? (given ? [given] : null));

  const model =
    models?.find(item => item.id === form.modelId) ?? (props.model?.id === form.modelId ? props.model : null);
  const defaultsReady = defaults !== null && defaults.model_id === form.modelId;

  // Another target: its own models (the server fine-tunes a model on its own target).
  useTargetChange(formTarget, () => {
    if (model && !formTarget.holds(model)) {
      touched.current.delete('shape');
      setForm(previous => ({ ...previous, modelId: '' }));
    }
  });

  useDialogFocus(firstInput);

  // The model's defaults: hyperparameters, shapes and the training fit for them.
  React.useEffect(() => {
    const modelId = form.modelId;
    setDefaults(null);
    setDefaultsError(null);
    setFit(null);
    fitKey.current = '';
    if (!modelId) {
      return;
    }
    let current = true;
    setDefaultsLoading(true);
    client
      .getFineTuneDefaults(modelId)
      .then(answer => {
        if (!current) {
          return;
        }
        const merged = applyDefaults(formRef.current, answer, touched.current);
        // The answer's fit is for the model's own defaults: remember which query that is.
        fitKey.current = queryKey(modelId, fitQuery(applyDefaults(formRef.current, answer, new Set())));
        setDefaults(answer);
        setFit(answer.fit);
        setForm(merged);
      })
      .catch(reason => current && setDefaultsError(reason))
      .finally(() => current && setDefaultsLoading(false));
    return () => {
      current = false;
      setDefaultsLoading(false);
    };
  }, [client, form.modelId]);

  // The fit again when batch size, sequence length, r, layers, type or shape change.
  const query = fitQuery(form);
  const currentFitKey = queryKey(form.modelId, query);
  // currentFitKey says when the query changed; the model and the query are read here.
  const fitAsk = useLatest({ modelId: form.modelId, query });
  React.useEffect(() => {
    const { modelId, query } = fitAsk.current;
    if (!defaultsReady || !query || !currentFitKey || currentFitKey === fitKey.current) {
      return;
    }
    let current = true;
    setFitRefreshing(true);
    const timer = setTimeout(() => {
      client
        .getFineTuneDefaults(modelId, query)
        .then(answer => {
          if (current) {
            fitKey.current = currentFitKey;
            setFit(answer.fit);
          }
        })
        .catch(() => {
          // The last fit stays; the server checks the shape again on submit.
        })
        .finally(() => current && setFitRefreshing(false));
    }, debounceMs);
    return () => {
      current = false;
      clearTimeout(timer);
      // Superseded: the next refresh (if any) says it is loading again.
      setFitRefreshing(false);
    };
  }, [client, defaultsReady, currentFitKey, debounceMs, fitAsk]);

  /** Check the dataset; without the base model's tokenizer here, check the file without token lengths. */
  const checkDataset = React.useCallback(
    async (request: ValidateDatasetRequest, key: string): Promise<IPreflightResult> => {
      try {
        return okResult(key, await client.validateDataset(request));
      } catch (reason) {
        if (!isTokenizerMissing(reason) || !request.model_id) {
          throw reason;
        }
        const withoutModel = { ...request };
        delete withoutModel.model_id;
        return okResult(key, await client.validateDataset(withoutModel), describeError(reason, trans));
      }
    },
    [client, trans]
  );

  // The dataset check when the dataset, the model, the sequence length or the split change
  // (once the model's defaults are in: they may change the sequence length).
  const request = preflightRequest(form);
  const requestKey = preflightKey(request);
  const requestKeyRef = useLatest(requestKey);
  const waitingForDefaults = !!form.modelId && defaults?.model_id !== form.modelId && defaultsError === null;
  const preflight = useDatasetPreflight({
    request,
    keyOf: preflightKey,
    check: checkDataset,
    delayMs: debounceMs * PREFLIGHT_DELAY_FACTOR,
    paused: waitingForDefaults,
    trans
  });

  const update = (patch: Partial<IFineTuneForm>, userEdit = true): void => {
    const keys = Object.keys(patch) as FormKey[];
    if (userEdit) {
      keys.forEach(key => touched.current.add(key));
    }
    setForm(previous => {
      const next = { ...previous, ...patch };
      // The job's name follows the model and the dataset until the user names it.
      if (!touched.current.has('name') && (keys.includes('modelId') || keys.includes('datasetPath'))) {
        const chosen =
          models?.find(item => item.id === next.modelId) ?? (props.model?.id === next.modelId ? props.model : null);
        next.name = defaultJobName(chosen?.name, next.datasetPath);
      }
      return next;
    });
    clearErrors(keys.map(key => FORM_FIELDS[key]));
  };

  const chooseModel = (modelId: string): void => {
    // A new base model brings its own defaults: the shape is the model's again.
    touched.current.delete('shape');
    update({ modelId });
  };

  const busy = submitting;
  const dataset = useDialogDataset(props, preflight, onOci, addError);

  const validate = (): boolean =>
    showErrors(
      validateFineTuneForm(form, backendKind, trans, {
        needsOutputUri: defaults?.needs_output_uri,
        maxReplicas: defaults?.max_replicas
      })
    );
  const fineTuneRequest = (): ReturnType<typeof buildFineTuneRequest> => ({
    ...buildFineTuneRequest(form, backendKind),
    target: formTarget.requestTarget
  });

  const onSubmit = (event: React.FormEvent): Promise<void> | void => {
    event.preventDefault();
    if (dataset.uploading) {
      return;
    }
    return submit(null, {
      validate,
      send: async alive => {
        // The preflight runs inline: a dataset with bad lines is never sent.
        if (!(await dataset.ready(alive))) {
          return null;
        }
        return client.createFineTune(fineTuneRequest());
      },
      done: response => {
        const warnings = response.preflight.warnings.length + (response.preflight.tokens?.over_limit ? 1 : 0);
        props.notify(
          warnings > 0
            ? trans._n(
                'Fine-tuning “%2” started (the dataset check has %1 warning).',
                'Fine-tuning “%2” started (the dataset check has %1 warnings).',
                warnings,
                response.finetune.name
              )
            : trans.__('Fine-tuning “%1” started.', response.finetune.name),
          'info'
        );
        props.onCreated(response);
      }
    });
  };

  // The same checks and request as the create, so a refusal lands under the same inputs; nothing is created.
  const onTerraform = (): Promise<void> =>
    terraform.run({ validate, send: () => client.exportFineTuneTerraform(fineTuneRequest()) });

  const shapes = defaultsReady ? defaults.shapes : [];
  const target = fitTargetFor(fit, form.shape);
  const lora = form.trainingType === 'lora';

  const inputs = fineTuneInputs({ form, errors, busy, update, id });
  const { numberField, textField } = inputs;

  return (
    <TerraformCreateDialog
      dialog={props}
      title={props.model ? trans.__('Fine-tune “%1”', props.model.name) : trans.__('New fine-tune')}
      label={trans.__('Fine-tune model')}
      className="jp-AquaExt-FineTuneDialog"
      form={formSubmit}
      onSubmit={onSubmit}
      submitClassName="jp-AquaExt-finetuneSubmit"
      submitDisabled={busy || dataset.holds || (models !== null && models.length === 0)}
      submitLabel={trans.__('Start fine-tuning')}
      submittingLabel={trans.__('Starting…')}
      notice={<DatasetBlockedNotice dataset={dataset} />}
      terraform={terraform}
      offer={
        onOci &&
        props.copyToClipboard && {
          className: 'jp-AquaExt-finetuneTerraform',
          title: trans.__(
            'Show this fine-tune as Terraform (oci_datascience_job and its run) and as Python, without creating it'
          ),
          disabled: busy || dataset.holds || !form.modelId,
          subject: trans.__('fine-tune'),
          copyToClipboard: props.copyToClipboard,
          download: props.download,
          onClick: () => void onTerraform()
        }
      }
    >
      <TargetField
        id={id('target')}
        formTarget={formTarget}
        disabled={busy}
        hint={trans.__('Where the job runs; the base models listed are that target’s.')}
        trans={trans}
      />
      <ModelPickerField
        {...bindInput(inputs.binding, 'modelId')}
        label={trans.__('Base model')}
        hint={pickerHint(
          trans,
          modelsError,
          models?.length === 0 && trans.__('No model is ready to fine-tune: download or register one in Models first.'),
          defaultsError !== null
            ? trans.__(
                'The model’s defaults are unavailable (%1); the form keeps the usual ones.',
                describeError(defaultsError, trans)
              )
            : undefined
        )}
        value={form.modelId}
        disabled={busy}
        trans={trans}
        models={models?.filter(formTarget.holds) ?? null}
        unusable={item => (isFineTunable(item) ? null : trans.__('not ready to fine-tune'))}
        selectRef={element => {
          firstInput.current = element;
        }}
        onChange={chooseModel}
      />
      {defaultsReady && (defaults.notes.length > 0 || !defaults.ready_to_finetune) && (
        <ul
          className={
            defaults.ready_to_finetune
              ? 'jp-AquaExt-FineTuneDialog-notes'
              : 'jp-AquaExt-FineTuneDialog-notes jp-mod-warn'
          }
          aria-label={trans.__('About this model')}
        >
          {!defaults.ready_to_finetune && defaults.notes.length === 0 && (
            <li>{trans.__('This model cannot be fine-tuned here.')}</li>
          )}
          {defaults.notes.map((note, i) => (
            <li key={i}>{note}</li>
          ))}
        </ul>
      )}
      {textField('name', trans.__('Job name'), {
        maxLength: LIMITS.name,
        hint: trans.__('The fine-tuned model gets this name too.')
      })}
      <DescriptionField {...bindInput(inputs.binding, 'description')} trans={trans} maxLength={LIMITS.description} />

      <CheckedDatasetField
        {...bindInput(inputs.binding, 'datasetPath')}
        dataset={dataset}
        maxLength={LIMITS.datasetPath}
        placeholder={trans.__('datasets/train.jsonl')}
        rows={trans.__('Rows: {"prompt", "completion"} or {"messages": […]}.')}
      />

      {numberField('validationSplit', trans.__('Validation split'), {
        min: 0,
        max: LIMITS.validationSplitMaxPercent,
        step: 'any',
        suffix: '%',
        hint: trans.__('Rows held out to measure the validation loss (0 to %1%).', LIMITS.validationSplitMaxPercent)
      })}

      <ChoiceGroup<TrainingType>
        {...bindInput(inputs.binding, 'trainingType')}
        legend={trans.__('Training type')}
        choices={[
          {
            value: 'lora',
            label: trans.__('LoRA'),
            description: trans.__('Low-rank adapters on the base weights: little memory, fast.')
          },
          {
            value: 'last_layers',
            label: trans.__('Last N layers'),
            description: trans.__('Train the last decoder layers in full (OCI Generative AI’s vanilla method).')
          }
        ]}
      />

      <div className="jp-AquaExt-FineTuneDialog-grid">
        {numberField('epochs', trans.__('Epochs'), { min: LIMITS.epochs[0], max: LIMITS.epochs[1] })}
        {numberField('learningRate', trans.__('Learning rate'), {
          decimal: true,
          hint: trans.__('For example 2e-4.')
        })}
        {numberField('batchSize', trans.__('Batch size'), { min: LIMITS.batchSize[0], max: LIMITS.batchSize[1] })}
        {numberField('maxSeqLength', trans.__('Sequence length'), {
          min: LIMITS.maxSeqLength[0],
          max: LIMITS.maxSeqLength[1],
          hint: model?.context_length
            ? trans.__(
                'Tokens per row; longer rows are truncated (the model reads %1).',
                formatInteger(model.context_length)
              )
            : trans.__('Tokens per row; longer rows are truncated.')
        })}
        {lora
          ? numberField('loraR', trans.__('LoRA r'), {
              min: LIMITS.loraR[0],
              max: LIMITS.loraR[1],
              hint: trans.__('Rank of the adapters.')
            })
          : numberField('lastNLayers', trans.__('Last N layers'), {
              min: LIMITS.lastNLayers[0],
              max: LIMITS.lastNLayers[1],
              hint: model ? trans.__('Decoder layers trained, counted from the top.') : undefined
            })}
      </div>

      <FineTuneShapeField
        {...bindInput(inputs.binding, 'shape')}
        onOci={onOci}
        shapes={shapes}
        fit={fit}
        loading={!defaultsReady && !!form.modelId}
        trans={trans}
      />
      <TrainingFitView
        fit={fit}
        target={target}
        loading={defaultsLoading || fitRefreshing}
        hasModel={!!form.modelId}
        trans={trans}
      />

      {onOci && (
        <>
          {numberField('replicas', trans.__('Nodes'), {
            min: 1,
            max: Math.min(LIMITS.replicasMax, defaults?.max_replicas ?? LIMITS.replicasMax),
            hint: trans.__('More than one runs distributed training; it needs a subnet and logging (Advanced options).')
          })}
          {textField(
            'outputUri',
            defaults?.needs_output_uri ? trans.__('Output location') : trans.__('Output location (optional)'),
            {
              placeholder: 'oci://bucket@namespace/prefix',
              maxLength: LIMITS.outputUri,
              hint: trans.__('Where the fine-tuned weights go: a versioned Object Storage bucket.')
            }
          )}
          {textField('experimentName', trans.__('Experiment (optional)'), {
            maxLength: LIMITS.experimentName,
            hint: trans.__('The model version set grouping runs; created when new.')
          })}
        </>
      )}

      <AdvancedOptions trans={trans} open={advanced.open} onToggle={advanced.setOpen}>
        <FineTuneAdvancedFields inputs={inputs} onOci={onOci} trans={trans} />
      </AdvancedOptions>
    </TerraformCreateDialog>
  );
}
