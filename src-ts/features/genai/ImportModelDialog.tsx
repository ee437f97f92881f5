import * as React from 'react';

import type { GenAiModelResponse } from '../../api/types';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { DescriptionField } from '../../ui/DialogParts';
import { TextField } from '../../ui/FormField';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { bindInput, formBinding } from '../../ui/formInputs';
import { PasswordField } from '../../ui/PasswordField';
import { capabilityLabel } from './format';
import { GenAiCreateDialog, useGenAiForm, type IGenAiDialogProps } from './GenAiDialog';
import {
  buildImportRequest,
  IMPORT_CAPABILITIES,
  IMPORT_FIELDS,
  IMPORT_LIMITS,
  initialImportForm,
  suggestedName,
  validateImportForm,
  type IImportForm,
  type ImportField,
  type ImportSource
} from './importForm';

const FORM_FIELDS: Record<keyof IImportForm, ImportField> = {
  source: 'source',
  name: 'display_name',
  description: 'description',
  capability: 'capability',
  hfId: 'hf_id',
  revision: 'revision',
  token: 'token',
  osUri: 'os_uri'
};

/**
 * Import an open model into Generative AI (seed 001): from Hugging Face (id,
 * revision, and a token for a gated model: a password input, never filled
 * in, never shown again) or from an Object Storage prefix with config.json
 * and the weights, with its one capability.
 */
export function ImportModelDialog(props: IGenAiDialogProps<GenAiModelResponse>): JSX.Element {
  const { client, trans } = props;
  const id = useFieldIds('genaiImport');
  const [form, setForm] = React.useState<IImportForm>(initialImportForm);
  const [nameTouched, setNameTouched] = React.useState(false);
  const genai = useGenAiForm(props, {
    fields: IMPORT_FIELDS,
    validate: () => validateImportForm(form, trans),
    body: () => buildImportRequest(form),
    create: body => client.importGenAiModel(body),
    // The token is not sent for an export: a Terraform file is shared and kept, a token must not be in it.
    exportTerraform: body => client.exportGenAiModelTerraform({ ...body, token: undefined }),
    started: response => trans.__('Importing “%1”…', response.model.name)
  });
  const submit = genai.submit;

  const binding = formBinding({
    form,
    setForm,
    submit,
    id,
    fields: FORM_FIELDS,
    settle: next => (nameTouched ? next : { ...next, name: suggestedName(next) })
  });
  const { update } = binding;

  const sources: { value: ImportSource; label: string; description: string }[] = [
    {
      value: 'huggingface',
      label: trans.__('Hugging Face'),
      description: trans.__('A model id and revision; gated models need a token with read access.')
    },
    {
      value: 'object_storage',
      label: trans.__('Object Storage'),
      description: trans.__('A prefix holding config.json and the weights.')
    }
  ];

  return (
    <GenAiCreateDialog
      form={genai}
      title={trans.__('Import a model into Generative AI')}
      label={trans.__('Import model')}
      className="jp-AquaExt-GenAiImportDialog"
      terraformTitle={trans.__('Show this import as Terraform (oci_generative_ai_imported_model), without creating it')}
      subject={trans.__('model import')}
      submitClassName="jp-AquaExt-importModel"
      submitLabel={trans.__('Import')}
      submittingLabel={trans.__('Importing…')}
    >
      <ChoiceGroup
        {...bindInput(binding, 'source')}
        legend={trans.__('Source')}
        choices={sources}
        onChange={source => update({ source: source as ImportSource, token: '' })}
      />
      {form.source === 'huggingface' ? (
        <>
          <TextField
            {...bindInput(binding, 'hfId')}
            label={trans.__('Hugging Face id')}
            placeholder="meta-llama/Llama-3.1-8B-Instruct"
          />
          <TextField
            {...bindInput(binding, 'revision')}
            label={trans.__('Revision (optional)')}
            hint={trans.__('A branch, tag or commit; empty: the default branch.')}
            placeholder="main"
            maxLength={IMPORT_LIMITS.revision}
          />
          <PasswordField
            {...bindInput(binding, 'token')}
            label={trans.__('Token (gated models)')}
            hint={trans.__('Sent to OCI for this import only; never stored, logged or shown again.')}
          />
        </>
      ) : (
        <TextField
          {...bindInput(binding, 'osUri')}
          label={trans.__('Object Storage prefix')}
          hint={trans.__('config.json (so named) and the weights must be under it.')}
          placeholder="oci://bucket@namespace/models/my-model"
        />
      )}
      <ChoiceGroup
        {...bindInput(binding, 'capability')}
        legend={trans.__('Capability')}
        choices={IMPORT_CAPABILITIES.map(value => ({ value, label: capabilityLabel(value, trans) }))}
      />
      <TextField
        {...bindInput(binding, 'name')}
        label={trans.__('Display name')}
        maxLength={IMPORT_LIMITS.name}
        onChange={name => {
          setNameTouched(true);
          setForm(previous => ({ ...previous, name }));
          submit.clearErrors(['display_name']);
        }}
      />
      <DescriptionField {...bindInput(binding, 'description')} trans={trans} maxLength={IMPORT_LIMITS.description} />
    </GenAiCreateDialog>
  );
}
