import * as React from 'react';

import { Button } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { ConnectionDetail } from '../../api/types';
import { AdvancedOptions, CreateDialog, DescriptionField } from '../../ui/DialogParts';
import { FieldError, FormField, SelectField, TextAreaField } from '../../ui/FormField';
import { bindInput, BoundCheckbox, boundTextField, formBinding } from '../../ui/formInputs';
import { PasswordField } from '../../ui/PasswordField';
import { useFieldIds } from '../../ui/hooks/useFieldIds';
import { useAdvancedOptions } from '../../ui/hooks/useAdvancedOptions';
import { useFormSubmit } from '../../ui/hooks/useFormSubmit';
import { useMountedRef } from '../../ui/hooks/useMountedRef';
import { describeError } from '../../shared/errors';
import { placeFieldErrors } from '../../shared/fieldErrors';
import {
  AUTH_TYPES,
  CAPABILITIES,
  CONNECTION_FIELDS,
  CONNECTION_KINDS,
  checkConnectionForm,
  formFromConnection,
  initialConnectionForm,
  takesSecret,
  toCreateRequest,
  toUpdateRequest,
  withKind,
  type ConnectionField,
  type IConnectionForm
} from './connectionForm';
import { authLabel, capabilityLabel, kindLabel, secretLabel } from './labels';
import { TextButton } from '../../ui/TextButton';

export interface IConnectionDialogProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** The connection to edit; null creates one. */
  connection: ConnectionDetail | null;
  onClose: () => void;
  onSaved: (connection: ConnectionDetail) => void;
}

/** The fields that sit under "Advanced options": an error in one opens it. */
const ADVANCED: readonly ConnectionField[] = ['headers', 'timeout_s', 'allow_link_local', 'description'];

/** The request field each form key feeds (its input's id and error). */
const FORM_FIELDS: Record<keyof IConnectionForm, ConnectionField> = {
  name: 'name',
  kind: 'kind',
  endpoint: 'endpoint',
  description: 'description',
  authType: 'auth_type',
  apiKeyHeader: 'api_key_header',
  username: 'username',
  headers: 'headers',
  capabilities: 'capabilities',
  models: 'models',
  defaultModel: 'default_model',
  apiVersion: 'api_version',
  compartmentId: 'compartment_id',
  servingMode: 'serving_mode',
  requestTemplate: 'request_body',
  responsePath: 'response_path',
  timeoutS: 'timeout_s',
  allowLinkLocal: 'allow_link_local',
  secretAction: 'secret',
  secret: 'secret'
};

/**
 * Create or edit a hosted service: the fields of its kind (Azure's API
 * version and deployments, OCI's compartment and serving mode, a REST
 * service's template and response path), its authentication, and its secret
 * as a password field that is never filled from the server: an edit shows
 * only whether one is set, with Replace and Remove.
 */
export function ConnectionDialog(props: IConnectionDialogProps): JSX.Element {
  const { client, trans, connection } = props;
  const editing = connection !== null;
  const [form, setForm] = React.useState<IConnectionForm>(() =>
    connection ? formFromConnection(connection) : initialConnectionForm()
  );
  const advanced = useAdvancedOptions(ADVANCED);
  const [listing, setListing] = React.useState<{ busy: boolean; note: string | null }>({ busy: false, note: null });
  const mounted = useMountedRef();
  const id = useFieldIds('ConnectionDialog');
  const submit = useFormSubmit<ConnectionField>({
    trans,
    fields: CONNECTION_FIELDS,
    // "A REST connection needs a method" names `methods`: its template is the input for it.
    placeRefusal: reason =>
      reason.fields && reason.fields.length > 0
        ? placeFieldErrors(
            reason.fields.map(item =>
              /^(body\.)?methods$/.test(item.field) ? { ...item, field: 'request_body' } : item
            ),
            CONNECTION_FIELDS
          )
        : undefined,
    onShow: advanced.openOnError
  });
  const { errors, submitting } = submit;

  const binding = formBinding({ form, setForm, submit, id, fields: FORM_FIELDS });
  const { update } = binding;
  const textField = boundTextField(binding);

  /** An existing connection's models as the service lists them (saved settings: the list is the server's). */
  const listModels = (id: string): void => {
    setListing({ busy: true, note: null });
    client
      .listConnectionModels(id)
      .then(listed => {
        if (!mounted.current) {
          return;
        }
        if (listed.source === 'service') {
          update({ models: listed.models.join('\n') });
        }
        setListing({
          busy: false,
          note:
            listed.source === 'service'
              ? trans._n('%1 model listed by the service.', '%1 models listed by the service.', listed.models.length)
              : listed.message || trans.__('The service does not list its models: type them.')
        });
      })
      .catch(reason => mounted.current && setListing({ busy: false, note: describeError(reason, trans) }));
  };

  const onSubmit = (event: React.FormEvent): Promise<void> =>
    submit.submit(event, {
      validate: () => submit.showErrors(checkConnectionForm(form, trans)),
      send: () =>
        connection
          ? client.updateConnection(connection.id, toUpdateRequest(form, connection))
          : client.createConnection(toCreateRequest(form)),
      done: saved => props.onSaved(saved)
    });

  const textarea = (
    key: keyof IConnectionForm & string,
    label: string,
    options: { hint?: React.ReactNode; placeholder?: string; rows?: number; code?: boolean } = {}
  ): JSX.Element => (
    <TextAreaField
      {...bindInput(binding, key)}
      label={label}
      hint={options.hint}
      code={options.code}
      rows={options.rows ?? 3}
      placeholder={options.placeholder}
      spellCheck={false}
    />
  );

  const select = <V extends string>(
    field: ConnectionField,
    label: string,
    value: V,
    values: readonly V[],
    labelOf: (value: V) => string,
    onChange: (value: V) => void
  ): JSX.Element => (
    <SelectField
      id={id(field)}
      field={field}
      label={label}
      error={errors[field]}
      value={value}
      disabled={submitting}
      onChange={next => onChange(next as V)}
    >
      {values.map(item => (
        <option key={item} value={item}>
          {labelOf(item)}
        </option>
      ))}
    </SelectField>
  );

  return (
    <CreateDialog
      dialog={props}
      title={editing ? trans.__('Edit “%1”', connection.name) : trans.__('New connection')}
      label={editing ? trans.__('Edit connection') : trans.__('New connection')}
      className="jp-AquaExt-ConnectionDialog"
      form={submit}
      onSubmit={onSubmit}
      submitClassName="jp-AquaExt-saveConnectionButton"
      submitDisabled={submitting}
      submitLabel={editing ? trans.__('Save') : trans.__('Create')}
      submittingLabel={editing ? trans.__('Saving…') : trans.__('Creating…')}
    >
      {textField('name', trans.__('Name'))}
      {editing ? (
        <div className="jp-AquaExt-formField" data-field="kind">
          <span className="jp-AquaExt-formField-label">{trans.__('Kind')}</span>
          <span>{kindLabel(form.kind, trans)}</span>
        </div>
      ) : (
        select(
          'kind',
          trans.__('Kind'),
          form.kind,
          CONNECTION_KINDS,
          kind => kindLabel(kind, trans),
          kind => {
            setForm(previous => withKind(previous, kind));
            submit.clearErrors(['kind', 'auth_type', 'endpoint']);
          }
        )
      )}
      {textField('endpoint', form.kind === 'rest' ? trans.__('URL') : trans.__('Endpoint'), {
        placeholder: endpointPlaceholder(form.kind),
        hint:
          form.kind === 'rest'
            ? trans.__('The full URL the request template is posted to.')
            : trans.__('The service’s base URL.')
      })}
      {form.kind === 'azure_openai' && textField('apiVersion', trans.__('API version'), { placeholder: '2024-06-01' })}
      {form.kind === 'oci_genai' && (
        <>
          {textField('compartmentId', trans.__('Compartment OCID'), {
            placeholder: 'ocid1.compartment.oc1…'
          })}
          {select(
            'serving_mode',
            trans.__('Serving mode'),
            form.servingMode,
            ['ON_DEMAND', 'DEDICATED'] as const,
            mode => (mode === 'ON_DEMAND' ? trans.__('On demand') : trans.__('Dedicated endpoint')),
            servingMode => update({ servingMode })
          )}
        </>
      )}
      {form.kind === 'rest' && (
        <>
          {textarea('requestTemplate', trans.__('Request template (JSON)'), {
            rows: 5,
            code: true,
            placeholder: '{"prompt": "{{prompt}}", "max_tokens": {{max_tokens}}}',
            hint: trans.__(
              '{{prompt}}, {{messages}}, {{model}}, {{max_tokens}} and {{temperature}} are filled in per request.'
            )
          })}
          {textField('responsePath', trans.__('Response path'), {
            placeholder: 'inferenceResponse.generatedTexts[0].text',
            hint: trans.__('Where the answer’s text is in the response.')
          })}
        </>
      )}
      {textarea(
        'models',
        form.kind === 'azure_openai'
          ? trans.__('Deployments (one per line)')
          : form.kind === 'oci_genai' && form.servingMode === 'DEDICATED'
            ? trans.__('Endpoint OCIDs (one per line)')
            : trans.__('Models (one per line)'),
        {
          rows: 2,
          hint: listing.note ?? trans.__('Listed from the service where it can; type them where it cannot.')
        }
      )}
      {connection && (
        <TextButton
          className="jp-AquaExt-listModelsButton"
          label={trans.__('List from the service')}
          busy={listing.busy}
          busyLabel={trans.__('Listing…')}
          disabled={submitting || listing.busy}
          onClick={() => listModels(connection.id)}
        />
      )}
      {textField('defaultModel', trans.__('Default model (optional)'))}
      <FormField
        id={id('capabilities')}
        field="capabilities"
        label={trans.__('Capabilities')}
        error={errors.capabilities}
      >
        {input => (
          <div
            id={input.id}
            role="group"
            aria-invalid={input['aria-invalid']}
            aria-describedby={input['aria-describedby']}
            className="jp-AquaExt-ConnectionDialog-capabilities"
          >
            {CAPABILITIES.map(capability => (
              <label key={capability} className="jp-AquaExt-checkbox">
                <input
                  type="checkbox"
                  checked={form.capabilities.includes(capability)}
                  disabled={submitting}
                  onChange={event =>
                    update({
                      capabilities: event.target.checked
                        ? CAPABILITIES.filter(item => item === capability || form.capabilities.includes(item))
                        : form.capabilities.filter(item => item !== capability)
                    })
                  }
                />
                {capabilityLabel(capability, trans)}
              </label>
            ))}
          </div>
        )}
      </FormField>
      {select(
        'auth_type',
        trans.__('Authentication'),
        form.authType,
        AUTH_TYPES,
        auth => authLabel(auth, trans),
        authType => {
          update({ authType });
          // What was refused about the secret was said of the authentication it replaces.
          submit.clearErrors(['secret']);
        }
      )}
      {form.authType === 'api_key_header' &&
        textField('apiKeyHeader', trans.__('Header name'), { placeholder: 'api-key' })}
      {form.authType === 'basic' && textField('username', trans.__('User name'))}
      {takesSecret(form.authType) && (
        <SecretField
          id={id('secret')}
          trans={trans}
          label={secretLabel(form.authType, trans)}
          secretSet={connection?.secret_set ?? false}
          editing={editing}
          form={form}
          error={errors.secret}
          disabled={submitting}
          onChange={update}
        />
      )}
      <AdvancedOptions trans={trans} open={advanced.open} onToggle={advanced.setOpen}>
        {textarea('headers', trans.__('Extra headers (one “Name: value” per line)'), {
          rows: 2,
          hint: trans.__('Sent as they are, shown and exported: never put a key here.')
        })}
        {textField('timeoutS', trans.__('Timeout (seconds)'))}
        <BoundCheckbox
          binding={binding}
          name="allowLinkLocal"
          label={trans.__('Allow a link-local or cloud-metadata address')}
        />
        <DescriptionField {...bindInput(binding, 'description')} trans={trans} maxLength={2000} />
      </AdvancedOptions>
    </CreateDialog>
  );
}

function endpointPlaceholder(kind: IConnectionForm['kind']): string {
  switch (kind) {
    case 'openai':
      return 'https://api.openai.com/v1';
    case 'azure_openai':
      return 'https://<resource>.openai.azure.com';
    case 'cohere':
      return 'https://api.cohere.com';
    case 'oci_genai':
      return 'https://inference.generativeai.<region>.oci.oraclecloud.com';
    case 'rest':
      return 'https://example.com/generate';
  }
}

/**
 * The secret: a password input that starts empty. A new connection types it;
 * an existing one shows only whether one is set, and offers Replace (an empty
 * password input) and Remove, each undoable until saved.
 */
function SecretField(props: {
  id: string;
  trans: TranslationBundle;
  label: string;
  secretSet: boolean;
  editing: boolean;
  form: IConnectionForm;
  error?: string;
  disabled: boolean;
  onChange: (patch: Partial<IConnectionForm>) => void;
}): JSX.Element {
  const { trans, form, editing, secretSet } = props;
  const input = (
    <PasswordField
      id={props.id}
      field="secret"
      label={props.label}
      value={form.secret}
      error={props.error}
      disabled={props.disabled}
      hint={trans.__('Kept on the server only; never shown again.')}
      onChange={secret => props.onChange({ secret })}
    />
  );
  if (!editing) {
    return input;
  }
  const status =
    form.secretAction === 'remove'
      ? trans.__('The %1 will be removed when you save.', props.label)
      : secretSet
        ? trans.__('%1: set', props.label)
        : trans.__('%1: none set', props.label);
  return (
    <div className="jp-AquaExt-formField jp-AquaExt-SecretField" data-field="secret">
      <div className="jp-AquaExt-SecretField-status" role="status">
        <span className={secretSet && form.secretAction !== 'remove' ? 'jp-AquaExt-keySet' : 'jp-AquaExt-noKey'}>
          {status}
        </span>
        {form.secretAction === 'keep' ? (
          <>
            <TextButton
              label={secretSet ? trans.__('Replace') : trans.__('Set')}
              disabled={props.disabled}
              onClick={() => props.onChange({ secretAction: 'replace', secret: '' })}
            />
            {secretSet && (
              <Button
                className="jp-mod-styled jp-mod-warn jp-AquaExt-button"
                type="button"
                disabled={props.disabled}
                onClick={() => props.onChange({ secretAction: 'remove', secret: '' })}
              >
                {trans.__('Remove')}
              </Button>
            )}
          </>
        ) : (
          <TextButton
            label={trans.__('Undo')}
            disabled={props.disabled}
            onClick={() => props.onChange({ secretAction: 'keep', secret: '' })}
          />
        )}
      </div>
      {form.secretAction === 'replace' ? (
        input
      ) : (
        // A refusal about the secret (a bearer token removed, say) shows here when there is no input.
        <FieldError id={`${props.id}-error`}>{props.error}</FieldError>
      )}
    </div>
  );
}
