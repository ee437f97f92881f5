import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import { KernelToolSettingsView } from './KernelToolAnswer';

export interface IChatToolsPanelProps {
  trans: TranslationBundle;
  schemaText: string;
  toolsText: string;
  schemaError: string | null;
  toolsError: string | null;
  onSchemaText: (text: string) => void;
  onToolsText: (text: string) => void;
  /** What this deployment's engine cannot do with them (the server refuses such a turn); null: nothing. */
  engineNote?: string | null;
  /** Which kernel function answers each tool, and whether by itself (absent: no notebook kernels here). */
  kernelTools?: Omit<React.ComponentProps<typeof KernelToolSettingsView>, 'trans'> | null;
}

const TOOLS_EXAMPLE =
  '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]';

/** ▸ / ▾ and a label: shows or hides a part of the playground (system prompt, structured output…). */
export function DisclosureButton(props: {
  open: boolean;
  label: string;
  /** Shown after the label while closed (a glimpse of what is inside). */
  summary?: string;
  onToggle: () => void;
}): JSX.Element {
  return (
    <button type="button" className="jp-AquaExt-linkButton" aria-expanded={props.open} onClick={props.onToggle}>
      {props.open ? '▾ ' : '▸ '}
      {props.label}
      {!props.open && props.summary ? ` · ${props.summary}` : ''}
    </button>
  );
}

/** Structured output (a JSON schema the answer must follow) and tools (functions the model may call). */
export function ChatToolsPanel(props: IChatToolsPanelProps): JSX.Element {
  const { trans } = props;
  const [open, setOpen] = React.useState(Boolean(props.schemaText.trim() || props.toolsText.trim()));
  return (
    <div className="jp-AquaExt-Playground-chatTools">
      <DisclosureButton
        open={open}
        label={trans.__('Structured output and tools')}
        onToggle={() => setOpen(value => !value)}
      />
      {open && (
        <>
          {props.engineNote && (
            <div className="jp-AquaExt-Playground-notice" role="note">
              {props.engineNote}
            </div>
          )}
          <JsonField
            label={trans.__('JSON schema of the answer')}
            placeholder={trans.__('Empty: free text. E.g. {"type": "object", "properties": {…}}')}
            value={props.schemaText}
            error={props.schemaError}
            onChange={props.onSchemaText}
          />
          <JsonField
            label={trans.__('Tools (JSON)')}
            placeholder={TOOLS_EXAMPLE}
            value={props.toolsText}
            error={props.toolsError}
            onChange={props.onToolsText}
          />
          {props.kernelTools && props.kernelTools.tools.length > 0 && (
            <KernelToolSettingsView {...props.kernelTools} trans={trans} />
          )}
        </>
      )}
    </div>
  );
}

function JsonField(props: {
  label: string;
  placeholder: string;
  value: string;
  error: string | null;
  onChange: (text: string) => void;
}): JSX.Element {
  return (
    <>
      <label className="jp-AquaExt-field">
        <span>{props.label}</span>
        <textarea
          className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
          aria-label={props.label}
          placeholder={props.placeholder}
          rows={4}
          value={props.value}
          onChange={event => props.onChange(event.target.value)}
        />
      </label>
      {props.error && (
        <div className="jp-AquaExt-error" role="alert">
          {props.error}
        </div>
      )}
    </>
  );
}

/** Why a deployment's engine will refuse what is set here, before it is sent (see services/chat_payload.py). */
export function engineNote(engine: string | null | undefined, trans: TranslationBundle): string | null {
  if (engine === 'transformers') {
    return trans.__('transformers serve takes tools but not structured output: a schema is refused.');
  }
  if (engine === 'oci-genai') {
    return trans.__('A Generative AI endpoint takes neither a schema nor tools here.');
  }
  return null;
}
