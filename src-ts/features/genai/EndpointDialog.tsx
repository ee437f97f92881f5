import * as React from 'react';

import type { GenAiEndpointResponse } from '../../api/types';
import { DescriptionField } from '../../ui/DialogParts';
import { TextField } from '../../ui/FormField';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { bindInput, formBinding } from '../../ui/formInputs';
import {
  buildEndpointRequest,
  ENDPOINT_FIELDS,
  ENDPOINT_LIMITS,
  validateEndpointForm,
  type EndpointField,
  type IEndpointForm
} from './endpointForm';
import { formatAiUnits, hourlyText } from './format';
import { GenAiCreateDialog, GenAiPickers, useGenAiChoices, useGenAiForm, type IGenAiDialogProps } from './GenAiDialog';

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
  const genai = useGenAiForm(props, {
    fields: ENDPOINT_FIELDS,
    validate: () => validateEndpointForm(form, trans),
    body: () => buildEndpointRequest(form),
    create: body => client.createGenAiEndpoint(body),
    exportTerraform: body => client.exportGenAiEndpointTerraform(body),
    started: response => trans.__('Creating the endpoint “%1”…', response.endpoint.name)
  });
  const choices = useGenAiChoices(client, { model: 'host', cluster: 'create_endpoint' });
  const cluster = choices.clusters.find(item => item.id === form.clusterId) ?? null;

  const binding = formBinding({ form, setForm, submit: genai.submit, id, fields: FORM_FIELDS });

  return (
    <GenAiCreateDialog
      form={genai}
      title={trans.__('New Generative AI endpoint')}
      label={trans.__('New endpoint')}
      className="jp-AquaExt-GenAiEndpointDialog"
      terraformTitle={trans.__('Show this endpoint as Terraform (oci_generative_ai_endpoint), without creating it')}
      subject={trans.__('endpoint')}
      submitClassName="jp-AquaExt-createEndpoint"
      submitLabel={trans.__('Create endpoint')}
      submittingLabel={trans.__('Creating…')}
    >
      <GenAiPickers
        trans={trans}
        binding={binding}
        choices={choices}
        model={{
          key: 'modelId',
          label: trans.__('Model'),
          choose: trans.__('Choose a model…'),
          empty: trans.__('No model can be hosted yet: import one, or wait until an import is active.')
        }}
        cluster={{
          key: 'clusterId',
          label: trans.__('Hosting cluster'),
          choose: trans.__('Choose a hosting cluster…'),
          empty: trans.__('No active hosting cluster has room for an endpoint: create one first.'),
          hint: cluster
            ? trans.__(
                '%1 × %2 · %3 AI units · %4',
                cluster.unit_shape,
                cluster.unit_count,
                cluster.cost ? formatAiUnits(cluster.cost.ai_unit_hours_per_hour) : '—',
                hourlyText(cluster.cost, trans)
              )
            : undefined
        }}
      />
      <TextField {...bindInput(binding, 'name')} label={trans.__('Endpoint name')} maxLength={ENDPOINT_LIMITS.name} />
      <DescriptionField {...bindInput(binding, 'description')} trans={trans} maxLength={ENDPOINT_LIMITS.description} />
    </GenAiCreateDialog>
  );
}
