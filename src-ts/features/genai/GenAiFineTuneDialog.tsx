import * as React from 'react';

import type { GenAiFineTuneResponse, TrainingConfigType, TrainingField } from '../../api/types';
import { describeError } from '../../shared/errors';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { DescriptionField } from '../../ui/DialogParts';
import { TextField } from '../../ui/FormField';
import { useFetched } from '../../ui/hooks/useFetched';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { bindInput, formBinding } from '../../ui/formInputs';
import { trainingTypeLabel } from './format';
import { GenAiCreateDialog, GenAiPickers, useGenAiChoices, useGenAiForm, type IGenAiDialogProps } from './GenAiDialog';
import {
  buildTrainingRequest,
  EARLY_STOPPING,
  hyperParameterLabel,
  initialTrainingForm,
  methodFields,
  offeredMethods,
  rangeHint,
  TRAINING_FIELDS,
  TRAINING_LIMITS,
  validateTrainingForm,
  type HyperParameter,
  type ITrainingForm,
  type TrainingFormField
} from './trainingForm';

// The hyperparameters' values feed one request field each (cleared by their own inputs).
const FORM_FIELDS: Partial<Record<keyof ITrainingForm, TrainingFormField>> = {
  name: 'display_name',
  description: 'description',
  baseModelId: 'base_model_id',
  clusterId: 'dedicated_ai_cluster_id',
  dataset: 'training_dataset',
  method: 'training_config_type'
};

export interface IGenAiFineTuneDialogProps extends IGenAiDialogProps<GenAiFineTuneResponse> {
  /** The base model (opened from a model). */
  baseModelId?: string | null;
  /** The fine-tuning cluster (opened from a cluster). */
  clusterId?: string | null;
}

/**
 * Fine-tune a base model on Generative AI (seed 003): base model,
 * fine-tuning cluster, the JSONL dataset in Object Storage (split 80/20 by
 * the service), the training method (LoRA, T-Few, vanilla last-N-layers) and
 * its hyperparameters, each empty for the service's default, with that
 * default and the range beside it, early stopping and the logging interval.
 */
export function GenAiFineTuneDialog(props: IGenAiFineTuneDialogProps): JSX.Element {
  const { client, trans } = props;
  const id = useFieldIds('genaiFineTune');
  const [form, setForm] = React.useState<ITrainingForm>(() =>
    initialTrainingForm(props.baseModelId ?? null, props.clusterId ?? null)
  );
  const choices = useGenAiChoices(client, { model: 'finetune', cluster: 'finetune' });
  const loadDefaults = React.useCallback(() => client.getGenAiTrainingDefaults(), [client]);
  const defaults = useFetched(loadDefaults, null);

  const model = choices.models.find(item => item.id === form.baseModelId) ?? null;
  const methods = offeredMethods(defaults.value, model?.training_methods);
  // A base model that cannot be trained with the chosen method is trained with its own first one.
  const method = methods.length > 0 && !methods.includes(form.method) ? methods[0] : form.method;
  const sent = { ...form, method };
  const fields = methodFields(defaults.value, method);
  const genai = useGenAiForm(props, {
    fields: TRAINING_FIELDS,
    // The dataset's bucket, namespace and object are one input here.
    placeRefusal: reason =>
      reason.fields?.some(item => /training_dataset/.test(item.field))
        ? { byField: { training_dataset: reason.fields.map(item => item.message).join(' ') }, other: [] }
        : undefined,
    validate: () => validateTrainingForm(sent, defaults.value, trans),
    body: () => buildTrainingRequest(sent, defaults.value),
    create: body => client.createGenAiFineTune(body),
    exportTerraform: body => client.exportGenAiFineTuneTerraform(body),
    started: response => trans.__('Fine-tuning “%1”…', response.finetune.name)
  });
  const { errors, submitting } = genai.submit;

  const binding = formBinding({ form, setForm, submit: genai.submit, id, fields: FORM_FIELDS });
  const { update } = binding;

  const parameter = (field: TrainingField): JSX.Element => {
    const name = field.name as HyperParameter;
    return (
      <TextField
        key={name}
        id={id(name)}
        field={name}
        label={hyperParameterLabel(name, trans)}
        error={errors[name]}
        hint={rangeHint(field, trans)}
        placeholder={String(field.default)}
        inputMode={field.integer ? 'numeric' : 'decimal'}
        narrow
        value={form.values[name] ?? ''}
        disabled={submitting}
        onChange={value => {
          update({ values: { ...form.values, [name]: value } });
          genai.submit.clearErrors([name]);
        }}
      />
    );
  };

  return (
    <GenAiCreateDialog
      form={genai}
      title={trans.__('Fine-tune on Generative AI')}
      label={trans.__('New Generative AI fine-tune')}
      className="jp-AquaExt-GenAiFineTuneDialog"
      terraformTitle={trans.__('Show this fine-tune as Terraform (oci_generative_ai_model), without creating it')}
      subject={trans.__('fine-tune')}
      submitClassName="jp-AquaExt-createGenAiFineTune"
      submitLabel={trans.__('Fine-tune')}
      submittingLabel={trans.__('Starting…')}
    >
      <GenAiPickers
        trans={trans}
        binding={binding}
        choices={choices}
        model={{
          key: 'baseModelId',
          label: trans.__('Base model'),
          choose: trans.__('Choose a base model…')
        }}
        cluster={{
          key: 'clusterId',
          label: trans.__('Fine-tuning cluster'),
          choose: trans.__('Choose a fine-tuning cluster…'),
          empty: trans.__('No active fine-tuning cluster: create one of type Fine-tuning first.')
        }}
      />
      <TextField
        {...bindInput(binding, 'name')}
        label={trans.__('Fine-tuned model name')}
        maxLength={TRAINING_LIMITS.name}
      />
      <TextField
        {...bindInput(binding, 'dataset')}
        label={trans.__('Training dataset (JSONL)')}
        hint={
          defaults.value?.split_statement ??
          trans.__('One {"prompt": …, "completion": …} object per line; the service splits it 80/20.')
        }
        placeholder="oci://bucket@namespace/datasets/train.jsonl"
      />
      <ChoiceGroup
        {...bindInput(binding, 'method')}
        legend={trans.__('Training method')}
        choices={methods.map(value => ({ value, label: trainingTypeLabel(value, trans) }))}
        value={method}
        onChange={method => update({ method: method as TrainingConfigType, values: {} })}
      />
      {defaults.error !== null && (
        <div className="jp-AquaExt-formField-hint" role="status">
          {trans.__(
            'The service’s defaults could not be loaded (%1): the method’s own defaults apply.',
            describeError(defaults.error, trans)
          )}
        </div>
      )}
      {fields.length > 0 && (
        <fieldset className="jp-AquaExt-fieldset" data-field="hyperparameters">
          <legend className="jp-AquaExt-formField-label">
            {trans.__('Hyperparameters (empty: the service’s default)')}
          </legend>
          {fields.filter(field => !EARLY_STOPPING.includes(field.name as HyperParameter)).map(parameter)}
        </fieldset>
      )}
      {fields.some(field => EARLY_STOPPING.includes(field.name as HyperParameter)) && (
        <fieldset className="jp-AquaExt-fieldset" data-field="early_stopping">
          <legend className="jp-AquaExt-formField-label">{trans.__('Early stopping')}</legend>
          {fields.filter(field => EARLY_STOPPING.includes(field.name as HyperParameter)).map(parameter)}
        </fieldset>
      )}
      <DescriptionField {...bindInput(binding, 'description')} trans={trans} maxLength={TRAINING_LIMITS.description} />
    </GenAiCreateDialog>
  );
}
