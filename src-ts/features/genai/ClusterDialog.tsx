import * as React from 'react';

import type { ClusterPlan, ClusterType, GenAiClusterResponse, ModelSummary } from '../../api/types';
import { describeError } from '../../shared/errors';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { DescriptionField, PickerField, pickerHint } from '../../ui/DialogParts';
import { SelectField, TextField } from '../../ui/FormField';
import { useFetched } from '../../ui/hooks/useFetched';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { bindInput, formBinding, wholeNumberInput } from '../../ui/formInputs';
import {
  buildClusterRequest,
  CLUSTER_FIELDS,
  CLUSTER_LIMITS,
  CLUSTER_TYPES,
  effectiveShape,
  initialClusterForm,
  parseUnitCount,
  validateClusterForm,
  type ClusterField,
  type IClusterForm
} from './clusterForm';
import { clusterTypeLabel, hourlyText, shapeHasRoom, unitShapeHint, unitShapeOptionLabel } from './format';
import { GenAiCreateDialog, useGenAiForm, type IGenAiDialogProps } from './GenAiDialog';

export interface IClusterDialogProps extends IGenAiDialogProps<GenAiClusterResponse> {
  /** Hosting (for endpoints) or fine-tuning; the user may change it. */
  type?: ClusterType;
  /** The model it is for (its memory fit picks the recommended shape). */
  modelId?: string | null;
  /** Debounce of the plan request while the model or unit count changes (tests use 0). */
  debounceMs?: number;
}

const FORM_FIELDS: Record<keyof IClusterForm, ClusterField> = {
  name: 'display_name',
  description: 'description',
  type: 'type',
  modelId: 'model_id',
  unitShape: 'unit_shape',
  unitCount: 'unit_count'
};

/**
 * Create a dedicated AI cluster: hosting or fine-tuning, the model it is for,
 * the unit shape (the memory fit's recommendation marked, each shape with its
 * AI units and cost, and whether its service limit has room) and the unit
 * count, with the Generative AI cost beside a Data Science deployment's.
 */
export function ClusterDialog(props: IClusterDialogProps): JSX.Element {
  const { client, trans } = props;
  const id = useFieldIds('genaiCluster');
  const [form, setForm] = React.useState<IClusterForm>(() =>
    initialClusterForm(props.type ?? 'HOSTING', props.modelId ?? null)
  );

  const loadModels = React.useCallback(
    () => client.listModels().then(list => [...list.items].sort((a, b) => a.name.localeCompare(b.name))),
    [client]
  );
  const models = useFetched<ModelSummary[]>(loadModels, null);

  // Every unit shape with its fit, limit and cost for the model and count (asked again as they change).
  const [plan, setPlan] = React.useState<ClusterPlan | null>(null);
  const [planError, setPlanError] = React.useState<unknown>(null);
  const unitCount = parseUnitCount(form.unitCount) ?? CLUSTER_LIMITS.unitCountMin;
  React.useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      client
        .getGenAiClusterPlan({ model_id: form.modelId || undefined, unit_count: unitCount })
        .then(answer => {
          if (current) {
            setPlan(answer);
            setPlanError(null);
          }
        })
        .catch(reason => current && setPlanError(reason));
    }, props.debounceMs ?? 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, form.modelId, unitCount, props.debounceMs]);

  const genai = useGenAiForm(props, {
    fields: CLUSTER_FIELDS,
    validate: () => validateClusterForm(form, plan, trans),
    body: () => buildClusterRequest(form),
    create: body => client.createGenAiCluster(body),
    exportTerraform: body => client.exportGenAiClusterTerraform(body),
    started: response => trans.__('Creating the cluster “%1”…', response.cluster.name)
  });
  const { submitting } = genai.submit;

  const binding = formBinding({ form, setForm, submit: genai.submit, id, fields: FORM_FIELDS });
  const { update } = binding;

  const shape = effectiveShape(form, plan);
  const recommended = plan?.recommended_unit_shape ?? null;

  return (
    <GenAiCreateDialog
      form={genai}
      title={trans.__('New dedicated AI cluster')}
      label={trans.__('New dedicated AI cluster')}
      className="jp-AquaExt-GenAiClusterDialog"
      terraformTitle={trans.__(
        'Show this cluster as Terraform (oci_generative_ai_dedicated_ai_cluster), without creating it'
      )}
      subject={trans.__('dedicated AI cluster')}
      submitClassName="jp-AquaExt-createCluster"
      submitLabel={trans.__('Create cluster')}
      submittingLabel={trans.__('Creating…')}
    >
      <TextField {...bindInput(binding, 'name')} label={trans.__('Cluster name')} maxLength={CLUSTER_LIMITS.name} />
      <ChoiceGroup
        {...bindInput(binding, 'type')}
        legend={trans.__('Cluster type')}
        choices={CLUSTER_TYPES.map(value => ({
          value,
          label: clusterTypeLabel(value, trans),
          description:
            value === 'HOSTING'
              ? trans.__('Serves endpoints of imported and fine-tuned models.')
              : trans.__('Runs fine-tunes of a base model.')
        }))}
      />
      <PickerField
        {...bindInput(binding, 'modelId')}
        label={trans.__('Model it is for')}
        hint={pickerHint(trans, models.error, null, trans.__('Its memory fit picks the recommended unit shape.'))}
        disabled={submitting || models.value === null}
        loaded={models.value !== null}
        loadingLabel={trans.__('Loading models…')}
        chooseLabel={trans.__('None (choose the unit shape yourself)')}
        onChange={modelId => update({ modelId, unitShape: '' })}
      >
        {(models.value ?? []).map(model => (
          <option key={model.id} value={model.id}>
            {model.name}
          </option>
        ))}
      </PickerField>
      <SelectField
        {...bindInput(binding, 'unitShape')}
        label={trans.__('Unit shape')}
        hint={
          planError !== null
            ? describeError(planError, trans)
            : plan === null
              ? trans.__('Loading the unit shapes and their cost…')
              : shape
                ? unitShapeHint(shape, trans)
                : undefined
        }
        disabled={submitting || plan === null}
      >
        <option value="">
          {recommended
            ? trans.__('Recommended: %1', recommended)
            : trans.__('Choose a unit shape (or a model to recommend one)…')}
        </option>
        {(plan?.shapes ?? []).map(option => (
          <option
            key={option.unit_shape}
            value={option.unit_shape}
            // A shape whose service limit has no room cannot be created: its hint names the limit to raise.
            disabled={!shapeHasRoom(option)}
            title={shapeHasRoom(option) ? undefined : unitShapeHint(option, trans)}
          >
            {unitShapeOptionLabel(option, trans)}
          </option>
        ))}
      </SelectField>
      <TextField
        {...bindInput(binding, 'unitCount')}
        label={trans.__('Units')}
        hint={trans.__('From %1 to %2.', CLUSTER_LIMITS.unitCountMin, CLUSTER_LIMITS.unitCountMax)}
        {...wholeNumberInput(CLUSTER_LIMITS.unitCountMin, CLUSTER_LIMITS.unitCountMax)}
      />
      {plan && <CostComparison plan={plan} shape={shape?.unit_shape ?? null} trans={trans} />}
      <DescriptionField {...bindInput(binding, 'description')} trans={trans} maxLength={CLUSTER_LIMITS.description} />
    </GenAiCreateDialog>
  );
}

/** The cluster's hourly cost beside a Data Science deployment of the same model, and the server's notes. */
function CostComparison(props: {
  plan: ClusterPlan;
  shape: string | null;
  trans: IClusterDialogProps['trans'];
}): JSX.Element {
  const { plan, trans } = props;
  const option = plan.shapes.find(item => item.unit_shape === props.shape) ?? null;
  const datascience = plan.datascience;
  return (
    <div className="jp-AquaExt-GenAiCost" role="group" aria-label={trans.__('Cost per hour')}>
      <dl className="jp-AquaExt-GenAiCost-list">
        <dt>{trans.__('Generative AI')}</dt>
        <dd data-cost="genai">
          {option ? `${option.unit_shape} × ${option.cost.unit_count}: ${hourlyText(option.cost, trans)}` : '—'}
        </dd>
        <dt>{trans.__('Data Science')}</dt>
        <dd data-cost="datascience">
          {datascience
            ? `${datascience.shape}${datascience.replicas > 1 ? ` × ${datascience.replicas}` : ''}: ${hourlyText(datascience, trans)}`
            : '—'}
        </dd>
      </dl>
      {plan.notes.map(line => (
        <div key={line} className="jp-AquaExt-formField-hint">
          {line}
        </div>
      ))}
    </div>
  );
}
