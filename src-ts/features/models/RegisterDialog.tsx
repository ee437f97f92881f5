import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import { isTerminal, pollOperation } from '../../api/operations';
import type { Info, ModelDetail, Operation, RegisterModelRequest } from '../../api/types';
import type { Notify } from '../../shared/callbacks';
import { describeError } from '../../shared/errors';
import { FormErrors } from '../../ui/FormErrors';
import { FieldError, FormField } from '../../ui/FormField';
import { ModalDialog } from '../../ui/ModalDialog';
import { OperationProgress } from '../../ui/OperationProgress';
import { useDialogFocus, useSubmitErrorFocus } from '../../ui/hooks/useDialogFocus';
import { useFormSubmit } from '../../ui/hooks/useFormSubmit';
import { useMountedRef } from '../../ui/hooks/useMountedRef';
import { hfIdError, osUriError } from '../../shared/modelSources';
import { useFormTarget, useGenAiHandOff, useTargetChange } from '../../ui/hooks/useFormTarget';
import { TargetField } from '../../ui/TargetField';
import { TextButton } from '../../ui/TextButton';

type Source = RegisterModelRequest['source'];
type FieldName = 'source' | 'path' | 'os_uri' | 'hf_id' | 'revision' | 'token' | 'name';
const FIELD_NAMES: readonly FieldName[] = ['source', 'path', 'os_uri', 'hf_id', 'revision', 'token', 'name'];

export interface IRegisterDialogProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** Delay between two progress polls of a download. */
  pollIntervalMs: number;
  /** Which backend registers: local folders on this machine, Object Storage on OCI. */
  backendKind?: 'local' | 'oci';
  /** The enabled targets (`GET info`): with several, the user picks where the model is registered. */
  info?: Info | null;
  notify: Notify;
  /** Close the dialog (after success, or when the user dismisses it). */
  onClose: () => void;
  /** A model was registered; `modelId` is the new model's id when the server names it. */
  onRegistered: (modelId: string | null, model: ModelDetail | null) => void;
  /**
   * The user closed the dialog while a download runs: the caller keeps
   * watching it. Without this callback the dialog cannot close meanwhile.
   */
  onBackground?: (operation: Operation) => void;
  /** The user chose a Generative AI target: its import form takes over (not given: no such target is offered). */
  onGenAi?: () => void;
}

/**
 * Register a local folder (validated in place) or a Hugging Face model
 * (downloaded in the background, with progress and cancel). The token is
 * kept in memory for the request only: never in settings or local storage.
 */
export function RegisterDialog(props: IRegisterDialogProps): JSX.Element {
  const { client, trans } = props;
  const formTarget = useFormTarget(props.info ?? null, props.backendKind ?? 'local', null, null, !!props.onGenAi);
  useGenAiHandOff(formTarget, () => props.onGenAi?.());
  const onOci = formTarget.kind === 'oci';
  const ids = useIds();
  const [source, setSource] = React.useState<Source>(onOci ? 'object_storage' : 'local_folder');
  // Another target offers its own sources (a folder here, Object Storage on OCI).
  useTargetChange(formTarget, () => setSource(formTarget.kind === 'oci' ? 'object_storage' : 'local_folder'));
  const [path, setPath] = React.useState('');
  const [osUri, setOsUri] = React.useState('');
  const [hfId, setHfId] = React.useState('');
  const [revision, setRevision] = React.useState('');
  const [token, setToken] = React.useState('');
  const [name, setName] = React.useState('');
  const [operation, setOperation] = React.useState<Operation | null>(null);
  const {
    errors: fieldErrors,
    otherErrors,
    error,
    failure,
    setError,
    submitting,
    showErrors,
    submit
  } = useFormSubmit<FieldName>({ trans, fields: FIELD_NAMES });
  const [canceling, setCanceling] = React.useState(false);
  const pollAbort = React.useRef<AbortController | null>(null);
  const mounted = useMountedRef();
  const firstInput = React.useRef<HTMLInputElement>(null);

  const running = operation !== null && !isTerminal(operation);
  const busy = submitting || running;

  // Stop polling on unmount; focus the first input on open and give focus back on close.
  React.useEffect(() => () => pollAbort.current?.abort(), []);
  useDialogFocus(firstInput);

  React.useEffect(() => {
    firstInput.current?.focus();
  }, [source]);

  const displayName = (model: ModelDetail | null): string =>
    model?.name ||
    name.trim() ||
    (source === 'huggingface'
      ? hfId.trim()
      : (path
          .trim()
          .replace(/[\\/]+$/, '')
          .split(/[\\/]/)
          .pop() ?? ''));

  const finish = (op: Operation, model: ModelDetail | null): void => {
    if (!mounted.current) {
      return;
    }
    setOperation(op);
    if (op.state === 'SUCCEEDED') {
      setToken('');
      props.notify(trans.__('Registered “%1”.', displayName(model)), 'success');
      props.onRegistered(op.resource_id ?? model?.id ?? null, model);
      props.onClose();
    } else if (op.state === 'FAILED') {
      // The operation is the failure: one that OCI refused links to its setup check.
      setError(op.error || op.message || trans.__('The registration failed.'), op);
    } else if (op.state === 'CANCELED') {
      setError(trans.__('The registration was canceled.'));
    }
  };

  const watch = async (op: Operation, model: ModelDetail | null): Promise<void> => {
    setOperation(op);
    if (isTerminal(op)) {
      finish(op, model);
      return;
    }
    const controller = new AbortController();
    pollAbort.current?.abort();
    pollAbort.current = controller;
    try {
      const last = await pollOperation(client, op, {
        intervalMs: props.pollIntervalMs,
        signal: controller.signal,
        onUpdate: update => mounted.current && setOperation(update)
      });
      if (!controller.signal.aborted) {
        finish(last, model);
      }
    } catch (reason) {
      if (mounted.current && !controller.signal.aborted) {
        setError(describeError(reason, trans), reason);
        setOperation(null);
      }
    }
  };

  const validate = (): Partial<Record<FieldName, string>> => {
    const errors: Partial<Record<FieldName, string>> = {};
    if (source === 'local_folder' && !path.trim()) {
      errors.path = trans.__('Enter the path of a folder with config.json and weights.');
    }
    // Hugging Face downloads on OCI are uploaded to Object Storage, so both need a bucket path.
    if (source === 'object_storage' || (source === 'huggingface' && onOci)) {
      const osUriProblem = osUriError(osUri, trans);
      if (osUriProblem) {
        errors.os_uri = osUriProblem;
      }
    }
    if (source === 'huggingface') {
      const hfIdProblem = hfIdError(hfId, trans);
      if (hfIdProblem) {
        errors.hf_id = hfIdProblem;
      }
    }
    return errors;
  };

  const requestBody = (): RegisterModelRequest => {
    const body: RegisterModelRequest = { source, target: formTarget.requestTarget };
    if (source === 'object_storage' || (source === 'huggingface' && onOci)) {
      body.os_uri = osUri.trim();
    }
    if (source === 'local_folder') {
      body.path = path.trim();
    } else if (source === 'huggingface') {
      body.hf_id = hfId.trim();
      if (revision.trim()) {
        body.revision = revision.trim();
      }
      if (token) {
        body.token = token;
      }
    }
    if (name.trim()) {
      body.name = name.trim();
    }
    return body;
  };

  const formRef = React.useRef<HTMLFormElement>(null);
  const submitEnded = useSubmitErrorFocus(formRef);
  const onSubmit = (event: React.FormEvent): Promise<void> | void => {
    event.preventDefault();
    if (busy) {
      return;
    }
    return submit(null, {
      validate: () => {
        setOperation(null);
        return showErrors(validate());
      },
      send: () => client.registerModel(requestBody()),
      done: response => watch(response.operation, response.model ?? null)
    });
  };

  const onCancelOperation = async (): Promise<void> => {
    if (!operation) {
      return;
    }
    setCanceling(true);
    try {
      const updated = await client.cancelOperation(operation.id);
      if (mounted.current) {
        setOperation(updated);
        if (isTerminal(updated)) {
          pollAbort.current?.abort();
          finish(updated, null);
        }
      }
    } catch (reason) {
      if (mounted.current) {
        setError(describeError(reason, trans), reason);
      }
    } finally {
      if (mounted.current) {
        setCanceling(false);
      }
    }
  };

  const canClose = !running || props.onBackground !== undefined;
  const close = (): void => {
    if (!canClose) {
      return;
    }
    if (running && operation && props.onBackground) {
      props.onBackground(operation);
    }
    props.onClose();
  };

  const field = (
    key: FieldName,
    label: string,
    input: React.InputHTMLAttributes<HTMLInputElement> & { ref?: React.Ref<HTMLInputElement> },
    hint?: string
  ): JSX.Element => {
    const { ref, ...rest } = input;
    return (
      <FormField id={ids[key]} field={key} label={label} hint={hint} error={fieldErrors[key]}>
        {attributes => (
          <input
            {...rest}
            {...attributes}
            ref={ref}
            className="jp-mod-styled jp-AquaExt-input"
            disabled={busy}
            spellCheck={false}
          />
        )}
      </FormField>
    );
  };

  return (
    <ModalDialog title={trans.__('Register model')} trans={trans} onClose={close} closeDisabled={!canClose}>
      <form ref={formRef} onSubmit={event => void Promise.resolve(onSubmit(event)).finally(submitEnded)} noValidate>
        <div className="jp-AquaExt-ModalDialog-body">
          <TargetField
            id={`${ids.source}-target`}
            formTarget={formTarget}
            disabled={busy}
            hint={trans.__('Where the model is registered, and deployed and fine-tuned later.')}
            trans={trans}
          />
          <div className="jp-AquaExt-RegisterDialog-sources" role="radiogroup" aria-label={trans.__('Source')}>
            {(onOci
              ? ([
                  ['object_storage', trans.__('Object Storage')],
                  ['huggingface', trans.__('Hugging Face')]
                ] as const)
              : ([
                  ['local_folder', trans.__('Local folder')],
                  ['huggingface', trans.__('Hugging Face')]
                ] as const)
            ).map(([value, label]) => (
              <label className="jp-AquaExt-radio" key={value}>
                <input
                  type="radio"
                  name={ids.source}
                  value={value}
                  checked={source === value}
                  disabled={busy}
                  onChange={() => setSource(value)}
                />
                {label}
              </label>
            ))}
          </div>
          <FieldError>{fieldErrors.source}</FieldError>
          {source === 'object_storage' &&
            field(
              'os_uri',
              trans.__('Object Storage path'),
              {
                ref: firstInput,
                type: 'text',
                placeholder: 'oci://bucket@namespace/models/my-model',
                value: osUri,
                onChange: event => setOsUri(event.target.value),
                autoComplete: 'off'
              },
              trans.__(
                'A prefix in a versioned bucket, with config.json and safetensors or GGUF weights. It is registered by reference, not copied.'
              )
            )}
          {source === 'object_storage'
            ? null
            : source === 'local_folder'
              ? field(
                  'path',
                  trans.__('Folder path'),
                  {
                    ref: firstInput,
                    type: 'text',
                    placeholder: trans.__('~/models/my-model'),
                    value: path,
                    onChange: event => setPath(event.target.value),
                    autoComplete: 'off'
                  },
                  trans.__(
                    'A folder on the machine that runs Jupyter, with config.json and safetensors or GGUF weights. It is registered in place, not copied.'
                  )
                )
              : [
                  <React.Fragment key="hf_id">
                    {field(
                      'hf_id',
                      trans.__('Hugging Face id'),
                      {
                        ref: firstInput,
                        type: 'text',
                        placeholder: trans.__('org/model-name'),
                        value: hfId,
                        onChange: event => setHfId(event.target.value),
                        autoComplete: 'off'
                      },
                      onOci
                        ? trans.__('Downloaded in the background, then uploaded to Object Storage.')
                        : trans.__('Downloaded in the background into the aqua_ext data folder.')
                    )}
                  </React.Fragment>,
                  <React.Fragment key="revision">
                    {field('revision', trans.__('Revision (optional)'), {
                      type: 'text',
                      placeholder: trans.__('main'),
                      value: revision,
                      onChange: event => setRevision(event.target.value),
                      autoComplete: 'off'
                    })}
                  </React.Fragment>,
                  <React.Fragment key="token">
                    {field(
                      'token',
                      trans.__('Token (gated models)'),
                      {
                        type: 'password',
                        value: token,
                        onChange: event => setToken(event.target.value),
                        autoComplete: 'off'
                      },
                      trans.__('Used for this download only; never stored or logged.')
                    )}
                  </React.Fragment>,
                  onOci && (
                    <React.Fragment key="os_uri">
                      {field(
                        'os_uri',
                        trans.__('Upload to'),
                        {
                          type: 'text',
                          placeholder: 'oci://bucket@namespace/models/my-model',
                          value: osUri,
                          onChange: event => setOsUri(event.target.value),
                          autoComplete: 'off'
                        },
                        trans.__('A prefix in a versioned bucket; the download is uploaded there, then registered.')
                      )}
                    </React.Fragment>
                  )
                ]}
          {field('name', trans.__('Display name (optional)'), {
            type: 'text',
            placeholder: trans.__('Defaults to the folder or repository name'),
            value: name,
            onChange: event => setName(event.target.value),
            autoComplete: 'off'
          })}
          <FormErrors fields={otherErrors} message={error} failure={failure} trans={trans} />
          {operation && running && (
            <OperationProgress
              operation={operation}
              trans={trans}
              onCancel={() => void onCancelOperation()}
              canceling={canceling || operation.state === 'CANCELING'}
              label={trans.__('Registration progress')}
            />
          )}
        </div>
        <div className="jp-AquaExt-ModalDialog-footer">
          {running && props.onBackground ? (
            <TextButton kind="reject" label={trans.__('Continue in background')} onClick={close} />
          ) : (
            <TextButton kind="reject" label={trans.__('Close')} disabled={!canClose} onClick={close} />
          )}
          <TextButton
            kind="accept"
            type="submit"
            label={trans.__('Register')}
            busy={submitting}
            busyLabel={trans.__('Registering…')}
            disabled={busy}
          />
        </div>
      </form>
    </ModalDialog>
  );
}

/** Stable, unique element ids for the dialog's inputs. */
function useIds(): Record<FieldName, string> {
  const base = React.useId().replace(/:/g, '');
  return React.useMemo(() => {
    const out = {} as Record<FieldName, string>;
    for (const key of FIELD_NAMES) {
      out[key] = `jp-AquaExt-register-${base}-${key}`;
    }
    return out;
  }, [base]);
}
