import * as React from 'react';

import { Button, copyIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import { makeSnippet, SNIPPET_KINDS, TOKEN_ENV, type ISnippetTarget, type SnippetKind } from './snippets';
import { NotebookInsertContext, type IInsertResult } from './notebookInsert';
import { TextButton } from '../../ui/TextButton';
import type { CopyToClipboard } from '../../shared/callbacks';
import { useCopiedFlag } from '../../ui/hooks/useCopiedFlag';

export interface ICodeSnippetsProps {
  target: ISnippetTarget;
  trans: TranslationBundle;
  copyToClipboard: CopyToClipboard;
}

/** curl / Python openai / LangChain code for the deployment, with Copy and (Python) Insert into notebook. */
export function CodeSnippets(props: ICodeSnippetsProps): JSX.Element {
  const { target, trans } = props;
  const [kind, setKind] = React.useState<SnippetKind>('python');
  const [copied, markCopied] = useCopiedFlag();
  const insertIntoNotebook = React.useContext(NotebookInsertContext);
  const [inserted, setInserted] = React.useState<IInsertResult | null>(null);
  const ids = React.useId().replace(/:/g, '');
  const code = React.useMemo(() => makeSnippet(kind, target), [kind, target]);
  const labels: Record<SnippetKind, string> = {
    curl: 'curl',
    python: trans.__('Python (openai)'),
    langchain: 'LangChain'
  };

  return (
    <section className="jp-AquaExt-CodeSnippets" aria-label={trans.__('Code snippets')}>
      <div className="jp-AquaExt-CodeSnippets-header">
        <div className="jp-AquaExt-CodeSnippets-tabs" role="tablist" aria-label={trans.__('Snippet language')}>
          {SNIPPET_KINDS.map(value => (
            <button
              key={value}
              type="button"
              role="tab"
              id={`${ids}-tab-${value}`}
              aria-selected={kind === value}
              aria-controls={`${ids}-code`}
              className={kind === value ? 'jp-AquaExt-tab jp-mod-active' : 'jp-AquaExt-tab'}
              onClick={() => {
                setKind(value);
                setInserted(null);
              }}
            >
              {labels[value]}
            </button>
          ))}
        </div>
        <Button
          className="jp-mod-styled jp-AquaExt-button jp-AquaExt-CodeSnippets-copy"
          onClick={() => {
            props.copyToClipboard(code);
            markCopied();
          }}
          title={trans.__('Copy the code')}
        >
          <copyIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
          {copied ? trans.__('Copied') : trans.__('Copy')}
        </Button>
        {insertIntoNotebook && kind !== 'curl' && (
          <TextButton
            label={trans.__('Insert into notebook')}
            className="jp-AquaExt-CodeSnippets-insert"
            title={trans.__('Add the code as a cell below the active cell of the notebook you last used')}
            onClick={() => void insertIntoNotebook(code).then(setInserted)}
          />
        )}
      </div>
      <pre
        className="jp-AquaExt-CodeSnippets-code"
        id={`${ids}-code`}
        role="tabpanel"
        aria-labelledby={`${ids}-tab-${kind}`}
        data-snippet={kind}
      >
        <code>{code}</code>
      </pre>
      <p className={inserted?.ok === false ? 'jp-AquaExt-fieldError' : 'jp-AquaExt-formField-hint'} role="status">
        {inserted?.message}
      </p>
      <p className="jp-AquaExt-formField-hint">
        {kind === 'curl'
          ? trans.__(
              'curl reads this Jupyter server’s token from the %1 environment variable (jupyter server list shows the token); the token itself is never shown here.',
              TOKEN_ENV
            )
          : trans.__(
              'In a notebook of this JupyterLab, aqua_ext.client finds the server and its token itself; elsewhere pass it url= and token=. The token itself is never shown here.'
            )}
      </p>
    </section>
  );
}
