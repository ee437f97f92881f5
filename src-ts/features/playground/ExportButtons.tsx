import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { DownloadText } from '../../shared/download';
import { conversationJsonl, conversationMarkdown, exportFileName, type ExportFormat } from './conversationExport';
import type { Turn } from './transcript';
import { ActionLink } from './TurnActions';

/** "Export: Markdown · JSONL": the conversation downloaded as a file named after the deployment. */
export function ExportButtons(props: {
  trans: TranslationBundle;
  name: string;
  system: string;
  turns: Turn[];
  download: DownloadText;
  now?: () => Date;
}): JSX.Element {
  const { trans } = props;
  const save = (format: ExportFormat): void => {
    const text =
      format === 'markdown'
        ? conversationMarkdown(props.name, props.system, props.turns)
        : conversationJsonl(props.system, props.turns);
    props.download(exportFileName(props.name, format, props.now?.() ?? new Date()), text);
  };
  const empty = !props.turns.some(turn => turn.role === 'user');
  return (
    <span className="jp-AquaExt-Playground-export">
      <span>{trans.__('Export')}</span>
      <ActionLink
        label={trans.__('Markdown')}
        title={trans.__('Download the conversation as Markdown')}
        disabled={empty}
        onClick={() => save('markdown')}
      />
      <ActionLink
        label={trans.__('JSONL')}
        title={trans.__(
          'Download the conversation as one JSON Lines row {"messages": [...]} (a conversational dataset row)'
        )}
        disabled={empty}
        onClick={() => save('jsonl')}
      />
    </span>
  );
}
