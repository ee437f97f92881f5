import * as React from 'react';

import type { GenAiEndpointResponse } from '../../api/types';
import { describeError } from '../../shared/errors';
import { DescriptionField, PickerField } from '../../ui/DialogParts';
import { TextField } from '../../ui/FormField';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useFormSubmit } from '../../ui/hooks/useFormSubmit';
import { useTerraformExport } from '../../ui/TerraformDialog';
import {
  buildEndpointRequest,
  ENDPOINT_FIELDS,
  ENDPOINT_LIMITS,
  validateEndpointForm,
  type EndpointField,
  type IEndpointForm
} from './endpointForm';
import { formatAiUnits, hourlyText } from './format';
import { allowing, GenAiCreateDialog, useGenAiChoices, type IGenAiDialogProps } from './GenAiDialog';

export interface IEndpointDialogProps extends IGenAiDialogProps<GenAiEndpointResponse> {
  /** The model to host (opened from a model). */
  modelId?: string | null;
  /** The hosting cluster (opened from a cluster). */
  clusterId?: string | null;
}

const FORM_FIELDS: Record<keyof IEndpointForm, EndpointField> = {
  name: 'display_name',
  description: 'description',
  modelId: 'model_id',
  clusterId: 'dedicated_ai_cluster_id'
};

/**
 * Create a Generative AI endpoint: a model the server lets host, on a
 * hosting cluster that takes one more endpoint. It then shows with the
 * deployments, and the playground chats with it like with any of them.
 */
export function EndpointDialog(props: IEndpointDialogProps): JSX.Element {
  const { client, trans } = props;
  const id = useFieldIds('genaiEndpoint');
  const [form, setForm] = React.useState<IEndpointForm>({
    name: '',
    description: '',
    modelId: props.modelId ?? '',
    clusterId: props.clusterId ?? ''
  });
  const submit = useFormSubmit<EndpointField>({ trans, fields: ENDPOINT_FIELDS });
  const { errors, submitting } = submit;
  const terraform = useTerraformExport(submit.submit);
  const choices = useGenAiChoices(client);
  const models = allowing(choices.models, 'host');
  const clusters = allowing(choices.clusters, 'create_endpoint');
  const cluster = clusters.find(item => item.id === form.clusterId) ?? null;

  const update = (patch: Partial<IEndpointForm>): void => {
    setForm(previous => ({ ...previous, ...patch }));
    submit.clearErrors((Object.keys(patch) as (keyof IEndpointForm)[]).map(key => FORM_FIELDS[key]));
  };

  const validate = (): boolean => submit.showErrors(validateEndpointForm(form, trans));
  const onSubmit = (event: React.FormEvent): Promise<void> =>
    submit.submit(event, {
      validate,
      send: () => client.createGenAiEndpoint(buildEndpointRequest(form)),
      done: response => {
        props.notify(trans.__('Creating the endpoint “%1”…', response.endpoint.name), 'info');
        props.onCreated(response);
      }
    });
  const onTerraform = (): Promise<void> =>
    terraform.run({ validate, send: () => client.exportGenAiEndpointTerraform(buildEndpointRequest(form)) });

  const loaded = choices.models !== null && choices.clusters !== null;
  return (
    <GenAiCreateDialog
      trans={trans}
      title={trans.__('New Generative AI endpoint')}
      label={trans.__('New endpoint')}
      className="jp-AquaExt-GenAiEndpointDialog"
      form={submit}
      terraform={terraform}
      terraformTitle={trans.__('Show this endpoint as Terraform (oci_generative_ai_endpoint), without creating it')}
      subject={trans.__('endpoint')}
      submitClassName="jp-AquaExt-createEndpoint"
      submitLabel={trans.__('Create endpoint')}
      submittingLabel={trans.__('Creating…')}
      copyToClipboard={props.copyToClipboard}
      download={props.download}
      onClose={props.onClose}
      onSubmit={onSubmit}
      onTerraform={onTerraform}
    >
      <PickerField
        id={id('model_id')}
        field="model_id"
        label={trans.__('Model')}
        error={errors.model_id}
        hint={
          choices.error !== null
            ? describeError(choices.error, trans)
            : loaded && models.length === 0
              ? trans.__('No model can be hosted yet: import one, or wait until an import is active.')
              : undefined
        }
        value={form.modelId}
        disabled={submitting || !loaded}
        loaded={loaded}
        loadingLabel={trans.__('Loading models…')}
        chooseLabel={trans.__('Choose a model…')}
        onChange={modelId => update({ modelId })}
      >
        {models.map(model => (
          <option key={model.id} value={model.id}>
            {model.name}
          </option>
        ))}
      </PickerField>
      <PickerField
        id={id('dedicated_ai_cluster_id')}
        field="dedicated_ai_cluster_id"
        label={trans.__('Hosting cluster')}
        error={errors.dedicated_ai_cluster_id}
        hint={
          cluster
            ? trans.__(
                '%1 × %2 · %3 AI units · %4',
                cluster.unit_shape,
                cluster.unit_count,
                cluster.cost ? formatAiUnits(cluster.cost.ai_unit_hours_per_hour) : '—',
                hourlyText(cluster.cost, trans)
              )
            : loaded && clusters.length === 0
              ? trans.__('No active hosting cluster has room for an endpoint: create one first.')
              : undefined
        }
        value={form.clusterId}
        disabled={submitting || !loaded}
        loaded={loaded}
        loadingLabel={trans.__('Loading clusters…')}
        chooseLabel={trans.__('Choose a hosting cluster…')}
        onChange={clusterId => update({ clusterId })}
      >
        {clusters.map(item => (
          <option key={item.id} value={item.id}>
            {item.name}
          </option>
        ))}
      </PickerField>
      <TextField
        id={id('display_name')}
        field="display_name"
        label={trans.__('Endpoint name')}
        error={errors.display_name}
        value={form.name}
        maxLength={ENDPOINT_LIMITS.name}
        disabled={submitting}
        onChange={name => update({ name })}
      />
      <DescriptionField
        id={id('description')}
        trans={trans}
        value={form.description}
        maxLength={ENDPOINT_LIMITS.description}
        disabled={submitting}
        error={errors.description}
        onChange={description => update({ description })}
      />
    </GenAiCreateDialog>
  );
}
