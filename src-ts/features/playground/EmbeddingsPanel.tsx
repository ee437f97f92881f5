import * as React from 'react';

import { addIcon, Button, closeIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { EmbedResponse } from '../../api/types';
import {
  checkEmbedInputs,
  EMBED_LIMITS,
  formatPreview,
  formatSimilarity,
  inputLabel,
  mostSimilarPairs,
  similarityLevel
} from './embeddings';
import { formatMs } from './stats';
import { ErrorState } from '../../ui/ErrorState';
import { TextButton } from '../../ui/TextButton';

export interface IEmbeddingsPanelProps {
  client: IAquaClient;
  trans: TranslationBundle;
  deploymentId: string;
  inputs: string[];
  onInputsChange: (inputs: string[]) => void;
}

export const SAMPLE_EMBED_INPUTS = [
  'The cat sat on the mat.',
  'A kitten was resting on the rug.',
  'Quarterly revenue grew by eight percent.'
];

/** Embed a few texts and compare them: dimensions and a cosine-similarity matrix. */
export function EmbeddingsPanel(props: IEmbeddingsPanelProps): JSX.Element {
  const { client, trans } = props;
  const inputs = props.inputs.length > 0 ? props.inputs : SAMPLE_EMBED_INPUTS;
  const [result, setResult] = React.useState<{ response: EmbedResponse; texts: string[] } | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const [localError, setLocalError] = React.useState<string | null>(null);
  const [running, setRunning] = React.useState(false);

  const setInput = (index: number, text: string): void =>
    props.onInputsChange(inputs.map((item, i) => (i === index ? text : item)));

  const onEmbed = async (): Promise<void> => {
    const checked = checkEmbedInputs(inputs, trans);
    setLocalError(checked.error);
    if (checked.error) {
      return;
    }
    setRunning(true);
    setError(null);
    try {
      const response = await client.embed(props.deploymentId, { inputs: checked.inputs });
      setResult({ response, texts: checked.inputs });
    } catch (reason) {
      setError(reason);
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="jp-AquaExt-Embeddings">
      <section className="jp-AquaExt-Embeddings-inputs" aria-label={trans.__('Texts to embed')}>
        <h3 className="jp-AquaExt-sectionTitle">{trans.__('Texts')}</h3>
        {inputs.map((text, index) => (
          <div className="jp-AquaExt-Embeddings-input" key={index}>
            <span className="jp-AquaExt-Embeddings-index">{index + 1}</span>
            <textarea
              className="jp-mod-styled jp-AquaExt-input jp-AquaExt-textarea"
              rows={2}
              aria-label={trans.__('Text %1', index + 1)}
              value={text}
              onChange={event => setInput(index, event.target.value)}
            />
            <Button
              className="jp-AquaExt-button jp-AquaExt-iconButton"
              minimal
              aria-label={trans.__('Remove text %1', index + 1)}
              title={trans.__('Remove')}
              disabled={inputs.length <= 1}
              onClick={() => props.onInputsChange(inputs.filter((_, i) => i !== index))}
            >
              <closeIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
            </Button>
          </div>
        ))}
        <div className="jp-AquaExt-Embeddings-actions">
          <Button
            className="jp-mod-styled jp-AquaExt-button"
            disabled={inputs.length >= EMBED_LIMITS.inputs}
            onClick={() => props.onInputsChange([...inputs, ''])}
          >
            <addIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
            {trans.__('Add text')}
          </Button>
          <TextButton
            kind="accept"
            label={trans.__('Embed and compare')}
            busy={running}
            busyLabel={trans.__('Embedding…')}
            disabled={running}
            onClick={() => void onEmbed()}
          />
        </div>
        {localError && (
          <div className="jp-AquaExt-fieldError" role="alert">
            {localError}
          </div>
        )}
      </section>
      {error !== null && <ErrorState error={error} trans={trans} />}
      {result && <EmbeddingResult response={result.response} texts={result.texts} trans={trans} />}
    </div>
  );
}

function EmbeddingResult(props: { response: EmbedResponse; texts: string[]; trans: TranslationBundle }): JSX.Element {
  const { response, texts, trans } = props;
  const pairs = mostSimilarPairs(response.similarity);
  return (
    <section className="jp-AquaExt-Embeddings-result" aria-label={trans.__('Embedding result')}>
      <div className="jp-AquaExt-Turn-stats">
        <span className="jp-AquaExt-Embeddings-dimensions">
          {trans._n('%1 dimension', '%1 dimensions', response.dimensions)}
        </span>
        <span>{formatMs(response.total_ms)}</span>
        {response.usage?.prompt_tokens !== null && response.usage?.prompt_tokens !== undefined && (
          <span>{trans._n('%1 token', '%1 tokens', response.usage.prompt_tokens)}</span>
        )}
      </div>
      <h3 className="jp-AquaExt-sectionTitle">{trans.__('Cosine similarity')}</h3>
      <div className="jp-AquaExt-Embeddings-matrixScroll">
        <table className="jp-AquaExt-SimilarityMatrix">
          <thead>
            <tr>
              <th scope="col" />
              {texts.map((text, j) => (
                <th key={j} scope="col" title={text}>
                  {j + 1}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {response.similarity.map((row, i) => (
              <tr key={i}>
                <th scope="row" title={texts[i]}>
                  {inputLabel(texts[i] ?? '', i)}
                </th>
                {row.map((value, j) => (
                  <td
                    key={j}
                    className="jp-AquaExt-SimilarityMatrix-cell"
                    style={{ '--jp-AquaExt-level': String(similarityLevel(value)) } as React.CSSProperties}
                    title={`${i + 1} ↔ ${j + 1}: ${value.toFixed(4)}`}
                  >
                    {formatSimilarity(value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pairs.length > 0 && (
        <ol className="jp-AquaExt-Embeddings-pairs" aria-label={trans.__('Most similar pairs')}>
          {pairs.map(pair => (
            <li key={`${pair.a}-${pair.b}`}>
              <strong>{formatSimilarity(pair.score)}</strong> {trans.__('texts %1 and %2', pair.a + 1, pair.b + 1)}
            </li>
          ))}
        </ol>
      )}
      <details className="jp-AquaExt-ResourceDetail-more">
        <summary>{trans.__('Vector previews')}</summary>
        <ul className="jp-AquaExt-Embeddings-previews">
          {response.preview.map((vector, i) => (
            <li key={i}>
              <span className="jp-AquaExt-muted">{i + 1}</span>{' '}
              <code>{formatPreview(vector, response.dimensions)}</code>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
