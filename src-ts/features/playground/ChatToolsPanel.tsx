import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

export interface IChatToolsPanelProps {
  trans: TranslationBundle;
  schemaText: string;
  toolsText: string;
  schemaError: string | null;
  toolsError: string | null;
  onSchemaText: (text: string) => void;
  onToolsText: (text: string) => void;
}

const TOOLS_EXAMPLE =
  '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]';

/** Structured output (a JSON schema the answer must follow) and tools (functions the model may call). */
export function ChatToolsPanel(props: IChatToolsPanelProps): JSX.Element {
  const { trans } = props;
  const [open, setOpen] = React.useState(Boolean(props.schemaText.trim() || props.toolsText.trim()));
  return (
    <div className="jp-AquaExt-Playground-chatTools">
      <button
        type="button"
        className="jp-AquaExt-linkButton"
        aria-expanded={open}
        onClick={() => setOpen(value => !value)}
      >
        {open ? '▾ ' : '▸ '}
        {trans.__('Structured output and tools')}
      </button>
      {open && (
        <>
          <label className="jp-AquaExt-field">
            <span>{trans.__('JSON schema of the answer')}</span>
            <textarea
              className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
              aria-label={trans.__('JSON schema of the answer')}
              placeholder={trans.__('Empty: free text. E.g. {"type": "object", "properties": {…}}')}
              rows={4}
              value={props.schemaText}
              onChange={event => props.onSchemaText(event.target.value)}
            />
          </label>
          {props.schemaError && (
            <div className="jp-AquaExt-error" role="alert">
              {props.schemaError}
            </div>
          )}
          <label className="jp-AquaExt-field">
            <span>{trans.__('Tools (JSON)')}</span>
            <textarea
              className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
              aria-label={trans.__('Tools (JSON)')}
              placeholder={TOOLS_EXAMPLE}
              rows={4}
              value={props.toolsText}
              onChange={event => props.onToolsText(event.target.value)}
            />
          </label>
          {props.toolsError && (
            <div className="jp-AquaExt-error" role="alert">
              {props.toolsError}
            </div>
          )}
        </>
      )}
    </div>
  );
}
