import * as React from 'react';

import type { CreateDeploymentResponse, Dtype, FitQuery, FitReport, Info, ModelSummary } from '../../api/types';
import {
  adapterCandidates,
  adapterEngines,
  buildDeployRequest,
  DEPLOY_FIELDS,
  defaultDeploymentName,
  defaultEngine,
  defaultMode,
  defaultShape,
  effectiveDtype,
  engineChoices,
  fitTargetForShape,
  initialDeployForm,
  isDeployable,
  LIMITS,
  localShapeChoices,
  modeChoices,
  noAdaptersReason,
  ociShapeChoices,
  servesAdapters,
  validateDeployForm,
  type DeployField,
  type IDeployForm
} from './deployForm';
import type { CopyToClipboard } from '../../shared/callbacks';
import type { DownloadText } from '../../shared/download';
import { formatInteger } from '../../shared/format';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import {
  AdvancedOptions,
  DescriptionField,
  type ICreateDialogProps,
  ModelPickerField,
  pickerHint
} from '../../ui/DialogParts';
import { describeError } from '../../shared/errors';
import { SelectField, TextField } from '../../ui/FormField';
import { bindInput, type IFormBinding, wholeNumberInput } from '../../ui/formInputs';
import { DeployFitSummary, limitHint, shapeOptionLabel } from './DeployFit';
import { ParamRows } from './ParamRows';
import { AdapterPicker } from './AdapterPicker';
import { TerraformCreateDialog, useTerraformExport } from '../../ui/TerraformDialog';
import { useDialogFocus } from '../../ui/hooks/useDialogFocus';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useFetched } from '../../ui/hooks/useFetched';
import { useAdvancedOptions } from '../../ui/hooks/useAdvancedOptions';
import { useFormSubmit } from '../../ui/hooks/useFormSubmit';
import { useLatest } from '../../ui/hooks/useLatest';
import { useFormTarget, useGenAiHandOff, useTargetChange } from '../../ui/hooks/useFormTarget';
import { TargetField } from '../../ui/TargetField';
import { infoForTarget, pickTarget } from '../../shared/targets';
import { formKind } from '../../shared/labels';

export interface IDeployDialogProps extends ICreateDialogProps<CreateDeploymentResponse> {
  info: Info | null;
  /** The model to deploy; null offers a picker of the deployable models. */
  model: ModelSummary | null;
  /** Context length the memory fit assumes when no max model length is set. */
  defaultContextLength: number;
  /** Debounce of the memory-fit request (tests use 0). */
  fitDebounceMs?: number;
  /** The Terraform export's Copy. */
  copyToClipboard: CopyToClipboard;
  /** The Terraform export's Download (default: the browser's; tests pass a fake). */
  download?: DownloadText;
  /** The user chose a Generative AI target: its endpoint form takes over (not given: no such target is offered). */
  onGenAi?: (model: ModelSummary | null) => void;
}

/** Fields that live under "Advanced options" (opened when one of them has an error). */
// DEPLOY_FIELDS lists them last, from max_model_len on.
const ADVANCED_FIELDS: readonly DeployField[] = DEPLOY_FIELDS.slice(DEPLOY_FIELDS.indexOf('max_model_len'));

/** The request field each input feeds: editing the input clears that field's error (it may be fixed). */
const FORM_FIELDS: Partial<Record<keyof IDeployForm, DeployField>> = {
  modelId: 'model_id',
  name: 'name',
  description: 'description',
  shape: 'shape',
  replicas: 'replicas',
  engine: 'engine',
  mode: 'mode',
  maxModelLen: 'max_model_len',
  idleStopMinutes: 'idle_stop_minutes',
  dtype: 'dtype',
  quantization: 'quantization',
  params: 'params',
  logGroupId: 'log_group_id',
  logId: 'log_id',
  adapters: 'adapters'
};

/**
 * Deploy a model: name, shape with its memory fit, engine, inference mode,
 * and (collapsed) context length, data type, engine parameters and logging.
 */
export function DeployDialog(props: IDeployDialogProps): JSX.Element {
  const { client, trans } = props;
  const id = useFieldIds('deploy');
  const [form, setForm] = React.useState<IDeployForm>(() => {
    const first = pickTarget(props.info, props.model?.target);
    return initialDeployForm(
      props.model,
      first ? formKind(first.kind) : props.backendKind,
      infoForTarget(props.info, first)
    );
  });
  const [nameTouched, setNameTouched] = React.useState(false);
  const [shapeTouched, setShapeTouched] = React.useState(false);
  const [fit, setFit] = React.useState<FitReport | null>(null);
  const [fitError, setFitError] = React.useState<unknown>(null);
  const [fitLoading, setFitLoading] = React.useState(false);
  const advanced = useAdvancedOptions(ADVANCED_FIELDS);
  const formSubmit = useFormSubmit<DeployField>({
    trans,
    fields: DEPLOY_FIELDS,
    onShow: advanced.openOnError
  });
  const { errors, submitting, showErrors, clearErrors, submit } = formSubmit;
  // The form as Terraform (OCI): asked for with the Deploy's checks, shown over the form.
  const terraform = useTerraformExport(submit);
  const firstInput = React.useRef<HTMLInputElement | HTMLSelectElement | null>(null);

  // Without a given model: the deployable ones to pick from.
  const given = props.model;
  const loadModels = React.useMemo(
    () => (given ? null : () => client.listModels().then(list => list.items.filter(isDeployable))),
    [client, given]
  );
  const listedModels = useFetched(loadModels, null);
  const modelsError = listedModels.error;
  const models = listedModels.value ?? (given ? [given] : null);

  const model = models?.find(item => item.id === form.modelId) ?? null;
  // A given model fixes the target (the server deploys a model on its own target); without one,
  // the user picks the target and then one of its models.
  const formTarget = useFormTarget(props.info, props.backendKind, props.model?.target, null, !!props.onGenAi);
  const { kind: backendKind, info } = formTarget;
  useGenAiHandOff(formTarget, () => props.onGenAi?.(props.model));
  const onOci = backendKind === 'oci';
  // LoRA fine-tunes to serve beside the base, where the target serves adapters (its `adapter_engines`: on OCI,
  // AQUA's stacked deployment); the candidates are the chosen target's fine-tunes of the chosen base.
  const takesAdapters = Object.keys(adapterEngines(info)).length > 0;
  const loadAdapters = React.useCallback(
    () => client.listModels({ source: 'fine-tuned' }).then(list => list.items),
    [client]
  );
  const fineTuned = useFetched(takesAdapters ? loadAdapters : null, null);

  useDialogFocus(firstInput);

  // The engine defaults come from /info, which may arrive after the dialog opened, and follow
  // the chosen target (its hardware, its engines): a new target offers its own shapes afresh.
  const forInfo = useLatest({ backendKind, model, shapeTouched, trans });
  useTargetChange(formTarget, () => {
    setShapeTouched(false);
    setFit(null);
    setForm(previous => ({
      ...previous,
      shape: defaultShape(backendKind, info, null),
      modelId: model && !formTarget.holds(model) ? '' : previous.modelId,
      adapters: []
    }));
  });
  React.useEffect(() => {
    if (!info) {
      return;
    }
    const { backendKind, model, shapeTouched, trans } = forInfo.current;
    setForm(previous => {
      const engine = engineChoices(backendKind, info, trans).find(choice => choice.value === previous.engine);
      const next = { ...previous };
      if (!engine || engine.disabled) {
        next.engine = defaultEngine(backendKind, model, info);
      }
      if (!shapeTouched) {
        next.shape = defaultShape(backendKind, info, null);
      }
      // The target's engines say which modes they serve only now.
      if (modeChoices(next.engine, info, trans).find(choice => choice.value === next.mode)?.disabled) {
        next.mode = defaultMode(model, next.engine, info);
      }
      return next;
    });
    // Only when /info or the target changes: the user's own choices win afterwards.
  }, [info, forInfo]);

  const maxModelLen = /^\d+$/.test(form.maxModelLen.trim()) ? Number(form.maxModelLen.trim()) : null;
  const contextLength =
    maxModelLen !== null && maxModelLen >= LIMITS.maxModelLenMin
      ? maxModelLen
      : model?.context_length
        ? Math.min(props.defaultContextLength, model.context_length)
        : props.defaultContextLength;
  const dtype: Dtype = effectiveDtype(form, backendKind);

  // The memory fit for the model, data type and context (debounced like the model detail's).
  React.useEffect(() => {
    if (!form.modelId) {
      setFit(null);
      return;
    }
    let current = true;
    setFitLoading(true);
    const timer = setTimeout(() => {
      // The engine's weights choices come with the fit; the one chosen is what it prices.
      // No concurrency: the server counts the requests the engine serves at once (llama.cpp's slots).
      const query: FitQuery = { dtype, context_length: contextLength, engine: form.engine };
      if (form.quantization) {
        query.quantization = form.quantization;
      }
      client
        .getModelFit(form.modelId, query)
        .then(report => {
          if (current) {
            setFit(report);
            setFitError(null);
          }
        })
        .catch(reason => current && setFitError(reason))
        .finally(() => current && setFitLoading(false));
    }, props.fitDebounceMs ?? 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, form.modelId, dtype, contextLength, form.engine, form.quantization, props.fitDebounceMs]);

  // On OCI the recommended shape comes with the fit report (never one whose service limit is
  // reached: then the server chooses).
  React.useEffect(() => {
    if (onOci && fit && !shapeTouched) {
      const pick = defaultShape('oci', info, fit);
      const full = fit.shapes.some(shape => shape.name === pick && shape.available === 0);
      setForm(previous => ({ ...previous, shape: full ? '' : pick }));
    }
  }, [onOci, fit, shapeTouched, info]);

  const update = (patch: Partial<IDeployForm>): void => {
    setForm(previous => ({ ...previous, ...patch }));
    clearErrors(
      (Object.keys(patch) as (keyof IDeployForm)[])
        .map(key => FORM_FIELDS[key])
        .filter((field): field is DeployField => !!field)
    );
  };

  const chooseModel = (modelId: string): void => {
    const next = models?.find(item => item.id === modelId) ?? null;
    const engine = defaultEngine(backendKind, next, info);
    setForm(previous => ({
      ...previous,
      modelId,
      name: nameTouched ? previous.name : defaultDeploymentName(next),
      engine,
      quantization: '',
      mode: defaultMode(next, engine, info),
      adapters: [] // adapters of another base
    }));
    setFit(null);
    if (onOci) {
      setShapeTouched(false);
    }
  };

  const engines = engineChoices(backendKind, info, trans);
  const modes = modeChoices(form.engine, info, trans);

  const chooseEngine = (engine: IDeployForm['engine']): void => {
    const allowed = modeChoices(engine, info, trans);
    setForm(previous => ({
      ...previous,
      engine,
      // Another engine runs other quantizations: its default until one of its own is chosen.
      quantization: '',
      // A mode the new engine cannot serve falls back to chat.
      mode: allowed.find(choice => choice.value === previous.mode)?.disabled ? 'chat' : previous.mode
    }));
  };

  const busy = submitting;

  const onSubmit = (event: React.FormEvent): Promise<void> =>
    submit(event, {
      validate: () => showErrors(validateDeployForm(form, backendKind, info, trans)),
      send: () =>
        client.createDeployment({ ...buildDeployRequest(form, backendKind, info), target: formTarget.requestTarget }),
      done: response => {
        props.notify(trans.__('Deploying “%1”…', response.deployment.name), 'info');
        props.onCreated(response);
      }
    });

  // The same checks and request as Deploy, so a refusal lands under the same inputs; nothing is created.
  const onTerraform = (): Promise<void> =>
    terraform.run({
      validate: () => showErrors(validateDeployForm(form, backendKind, info, trans)),
      send: () =>
        client.exportDeploymentTerraform({
          ...buildDeployRequest(form, backendKind, info),
          target: formTarget.requestTarget
        })
    });

  const binding: IFormBinding<IDeployForm, DeployField> = { form, errors, busy, update, id, fields: FORM_FIELDS };
  // The shape is a select of OCI shapes or a choice of local devices: the same input either way.
  const shapeInput = {
    ...bindInput(binding, 'shape'),
    onChange: (shape: string) => {
      setShapeTouched(true);
      update({ shape });
    }
  };
  const target = fitTargetForShape(fit, backendKind, form.shape);
  const shapes = ociShapeChoices(fit);
  // What the engine runs for this model, as the server lists it with the fit (never a list of ours).
  const quantizations = fit?.engine === form.engine ? fit.quantizations : [];
  const chosenWeights = quantizations.find(choice => choice.value === form.quantization) ?? null;
  const defaultWeights = quantizations.find(choice => choice.default) ?? null;

  return (
    <TerraformCreateDialog
      dialog={props}
      title={props.model ? trans.__('Deploy “%1”', props.model.name) : trans.__('New deployment')}
      label={trans.__('Deploy model')}
      className="jp-AquaExt-DeployDialog"
      form={formSubmit}
      onSubmit={onSubmit}
      submitClassName="jp-AquaExt-deploySubmit"
      submitDisabled={busy || (!props.model && models !== null && models.length === 0)}
      submitLabel={trans.__('Deploy')}
      submittingLabel={trans.__('Deploying…')}
      terraform={terraform}
      offer={
        onOci && {
          className: 'jp-AquaExt-deployTerraform',
          title: trans.__('Show this deployment as Terraform (oci_datascience_model_deployment), without creating it'),
          disabled: busy || !form.modelId,
          subject: trans.__('deployment'),
          copyToClipboard: props.copyToClipboard,
          download: props.download,
          onClick: () => void onTerraform()
        }
      }
    >
      {!props.model && (
        <ModelPickerField
          {...bindInput(binding, 'modelId')}
          label={trans.__('Model')}
          hint={pickerHint(
            trans,
            modelsError,
            models?.length === 0 && trans.__('No model is ready to deploy: register or download one in Models first.')
          )}
          disabled={busy || models === null}
          trans={trans}
          models={models?.filter(formTarget.holds) ?? null}
          selectRef={element => {
            firstInput.current = element;
          }}
          onChange={chooseModel}
        />
      )}
      <TargetField
        id={id('target')}
        formTarget={formTarget}
        disabled={busy}
        hint={trans.__('Where the deployment runs; by default where the model is.')}
        trans={trans}
      />
      <TextField
        {...bindInput(binding, 'name')}
        label={trans.__('Deployment name')}
        inputRef={element => {
          if (props.model) {
            firstInput.current = element;
          }
        }}
        maxLength={LIMITS.name}
        onChange={name => {
          setNameTouched(true);
          update({ name });
        }}
      />
      <DescriptionField {...bindInput(binding, 'description')} trans={trans} maxLength={LIMITS.description} />

      {onOci ? (
        <SelectField
          {...shapeInput}
          label={trans.__('Shape')}
          hint={
            fit === null && fitError === null
              ? trans.__('Loading the shapes and their memory fit…')
              : fitError !== null
                ? trans.__(
                    'The memory fit is unavailable (%1); the server picks a shape if you leave it.',
                    describeError(fitError, trans)
                  )
                : (limitHint(target, form.replicas, trans) ?? undefined)
          }
        >
          <option value="">{trans.__('Let the server choose (smallest that fits)')}</option>
          {shapes.map(shape => (
            <option
              key={shape.name}
              value={shape.name}
              disabled={shape.available === 0}
              title={
                shape.available === 0
                  ? trans.__(
                      'The service limit of this shape is reached in this region: request a limit increase or choose another shape.'
                    )
                  : undefined
              }
            >
              {shapeOptionLabel(shape, fit, trans)}
            </option>
          ))}
        </SelectField>
      ) : (
        <ChoiceGroup {...shapeInput} legend={trans.__('Shape')} choices={localShapeChoices(info, trans)} />
      )}
      <DeployFitSummary
        target={target}
        fit={fit}
        loading={fitLoading}
        hasModel={!!form.modelId}
        dtype={dtype}
        weights={chosenWeights?.label ?? null}
        contextLength={contextLength}
        trans={trans}
      />

      {onOci && (
        <TextField
          {...bindInput(binding, 'replicas')}
          label={trans.__('Replicas')}
          hint={trans.__('Instances behind the load balancer (%1 to %2).', LIMITS.replicasMin, LIMITS.replicasMax)}
          {...wholeNumberInput(LIMITS.replicasMin, LIMITS.replicasMax)}
        />
      )}

      <ChoiceGroup
        {...bindInput(binding, 'engine')}
        legend={trans.__('Engine')}
        choices={engines}
        onChange={chooseEngine}
      />
      <ChoiceGroup {...bindInput(binding, 'mode')} legend={trans.__('Inference mode')} choices={modes} />
      {(quantizations.length > 0 || form.quantization) && (
        <SelectField
          {...bindInput(binding, 'quantization')}
          label={trans.__('Weights (dtype or quantization)')}
          hint={
            chosenWeights?.convert
              ? trans.__(
                  'llama.cpp serves GGUF files: convert the model to %1 first (Convert to GGUF); the memory fit shows it converted.',
                  chosenWeights.value
                )
              : trans.__('What this engine runs for the model; the memory fit and decode speed follow the choice.')
          }
        >
          <option value="">
            {defaultWeights ? trans.__('Engine default: %1', defaultWeights.label) : trans.__('Engine default')}
          </option>
          {quantizations.map(choice => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </SelectField>
      )}

      {takesAdapters && (
        <AdapterPicker
          id={id('adapters')}
          trans={trans}
          candidates={
            fineTuned.value !== null
              ? adapterCandidates(fineTuned.value.filter(formTarget.holds), model)
              : fineTuned.error
                ? []
                : null
          }
          value={form.adapters}
          fixedAtCreate={adapterEngines(info)[form.engine] === 'redeploy'}
          unavailable={
            servesAdapters(form.engine, form.mode, info) ? null : noAdaptersReason(form.engine, form.mode, info, trans)
          }
          disabled={busy}
          error={errors.adapters}
          onChange={adapters => update({ adapters })}
        />
      )}

      <AdvancedOptions trans={trans} open={advanced.open} onToggle={advanced.setOpen}>
        <TextField
          {...bindInput(binding, 'maxModelLen')}
          label={trans.__('Max model length (tokens)')}
          hint={
            model?.context_length
              ? trans.__('Empty: the model’s own context length (%1 tokens).', formatInteger(model.context_length))
              : trans.__('Empty: the model’s own context length.')
          }
          {...wholeNumberInput(LIMITS.maxModelLenMin, LIMITS.maxModelLenMax)}
        />
        <TextField
          {...bindInput(binding, 'idleStopMinutes')}
          label={trans.__('Stop after idle minutes')}
          hint={trans.__('Deactivate it after this many minutes without a request through this server. Empty: never.')}
          {...wholeNumberInput(LIMITS.idleStopMin, LIMITS.idleStopMax)}
        />
        <ParamRows form={form} errors={errors} busy={busy} trans={trans} idPrefix={id('params')} onChange={update} />
        {onOci && (
          <fieldset className="jp-AquaExt-fieldset" data-field="logging">
            <legend className="jp-AquaExt-formField-label">{trans.__('Logging (recommended)')}</legend>
            <TextField
              {...bindInput(binding, 'logGroupId')}
              label={trans.__('Log group OCID')}
              placeholder="ocid1.loggroup.oc1…"
            />
            <TextField
              {...bindInput(binding, 'logId')}
              label={trans.__('Log OCID')}
              hint={trans.__(
                'The engine’s predict and access logs go to this log; without one, failures are harder to diagnose.'
              )}
              placeholder="ocid1.log.oc1…"
            />
          </fieldset>
        )}
      </AdvancedOptions>
    </TerraformCreateDialog>
  );
}
