import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { Architecture, Dtype, ModelDetail as ModelDetailData } from '../../api/types';
import { allows } from '../../shared/actions';
import { formatBytes, formatInteger, formatParams } from '../../shared/format';
import { stripFrontMatter } from './modelCard';
import {
  browserCopy,
  type Confirm,
  type CopyToClipboard,
  type Notify,
  type RenderMarkdown
} from '../../shared/callbacks';
import { ErrorState } from '../../ui/ErrorState';
import { capabilityLabel, formatLabel } from './labels';
import { Loading } from '../../ui/Loading';
import { CopyableCode, DeleteButton, DetailName, DetailTopbar, Fact } from '../../ui/ResourceDetail';
import { MemoryFit } from '../../ui/MemoryFit';
import { useBusyAction } from '../../ui/hooks/useBusyAction';
import { ModelBadges } from './ModelBadges';
import { TextButton } from '../../ui/TextButton';

export interface IModelDetailProps {
  client: IAquaClient;
  trans: TranslationBundle;
  modelId: string;
  renderMarkdown: RenderMarkdown;
  confirm: Confirm;
  notify: Notify;
  onBack: () => void;
  /** Called after the model was deleted. */
  onDeleted: (modelId: string) => void;
  /** Open the deploy form for this model (the Deploy button shows when given). */
  onDeploy?: (model: ModelDetailData) => void;
  /** Open the fine-tune form for this model (the Fine-tune button shows when given and the model is ready). */
  onFineTune?: (model: ModelDetailData) => void;
  copyToClipboard?: CopyToClipboard;
  fitDefaults: { dtype: Dtype; contextLength: number; concurrency: number };
  /** Debounce of the memory-fit inputs (tests use 0). */
  fitDebounceMs?: number;
}

/** Everything about one model: metadata, model card, lineage and memory fit. */
export function ModelDetail(props: IModelDetailProps): JSX.Element {
  const { client, trans, modelId, onBack } = props;
  const [model, setModel] = React.useState<ModelDetailData | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const [attempt, setAttempt] = React.useState(0);
  const { busy, actionError, runConfirmed } = useBusyAction<'delete'>(props.notify, trans);

  React.useEffect(() => {
    let current = true;
    setModel(null);
    setError(null);
    client
      .getModel(modelId)
      .then(result => current && setModel(result))
      .catch(reason => current && setError(reason));
    return () => {
      current = false;
    };
  }, [client, modelId, attempt]);

  const onDelete = async (): Promise<void> => {
    if (!model) {
      return;
    }
    await runConfirmed('delete', props.confirm, {
      message: trans.__(
        'Delete “%1”? Its registration is removed. A folder you registered stays on disk; a model aqua_ext downloaded is removed from disk.',
        model.name
      ),
      options: { title: trans.__('Delete model'), acceptLabel: trans.__('Delete'), danger: true },
      action: async () => {
        await client.deleteModel(model.id);
        props.notify(trans.__('Deleted “%1”.', model.name), 'success');
        props.onDeleted(model.id);
      }
    });
  };

  return (
    <div className="jp-AquaExt-ModelDetail">
      <DetailTopbar backLabel={trans.__('← All models')} onBack={onBack}>
        {props.onDeploy && model && allows(model, 'deploy') && (
          <TextButton
            kind="accept"
            className="jp-AquaExt-deployButton"
            label={trans.__('Deploy')}
            title={trans.__('Serve this model on an inference engine')}
            onClick={() => props.onDeploy?.(model)}
          />
        )}
        {props.onFineTune && model && allows(model, 'finetune') && (
          <TextButton
            className="jp-AquaExt-fineTuneButton"
            label={trans.__('Fine-tune')}
            title={trans.__('Fine-tune this model on a JSONL dataset')}
            onClick={() => props.onFineTune?.(model)}
          />
        )}
        {allows(model, 'delete') && (
          <DeleteButton
            trans={trans}
            disabled={busy !== null}
            deleting={busy === 'delete'}
            onClick={() => void onDelete()}
          />
        )}
      </DetailTopbar>
      {actionError !== null && <ErrorState error={actionError} trans={trans} />}
      {model === null && error === null && <Loading>{trans.__('Loading model…')}</Loading>}
      {error !== null && (
        <ErrorState
          error={error}
          trans={trans}
          title={trans.__('The model could not be loaded.')}
          onRetry={() => setAttempt(n => n + 1)}
        />
      )}
      {model !== null && <ModelDetailBody {...props} model={model} />}
    </div>
  );
}

function ModelDetailBody(props: IModelDetailProps & { model: ModelDetailData }): JSX.Element {
  const { model, trans } = props;
  const copy = props.copyToClipboard ?? browserCopy;
  const cardRef = React.useRef<HTMLDivElement>(null);

  const { renderMarkdown } = props;
  const card = React.useMemo(() => stripFrontMatter(model.card_markdown), [model.card_markdown]);
  React.useEffect(() => {
    const host = cardRef.current;
    if (!host || !card) {
      return;
    }
    renderMarkdown(host, card).catch(() => {
      host.textContent = card;
    });
  }, [renderMarkdown, card]);

  const contextDefault =
    model.context_length && model.context_length > 0
      ? Math.min(props.fitDefaults.contextLength, model.context_length)
      : props.fitDefaults.contextLength;

  const facts: Array<[string, React.ReactNode]> = [];
  if (model.organization) {
    facts.push([trans.__('Organization'), model.organization]);
  }
  if (model.license) {
    facts.push([
      trans.__('License'),
      model.license_url ? (
        <a href={model.license_url} target="_blank" rel="noopener noreferrer">
          {model.license}
        </a>
      ) : (
        model.license
      )
    ]);
  }
  facts.push([trans.__('Task'), [model.task, capabilityLabel(model.capability, trans)].filter(Boolean).join(' · ')]);
  facts.push([trans.__('Parameters'), formatParams(model.parameter_count)]);
  facts.push([
    trans.__('Context length'),
    model.context_length ? trans.__('%1 tokens', formatInteger(model.context_length)) : '—'
  ]);
  facts.push([trans.__('Formats'), model.formats.map(formatLabel).join(', ') || '—']);
  facts.push([trans.__('Size'), formatBytes(model.size_bytes)]);
  if (model.hf_id) {
    facts.push([
      trans.__('Hugging Face id'),
      <CopyableCode
        trans={trans}
        value={model.hf_id}
        label={trans.__('Hugging Face id')}
        copyToClipboard={copy}
        confirm
      />
    ]);
  }
  facts.push([
    trans.__('Artifact location'),
    model.artifact_location ? <code>{model.artifact_location}</code> : trans.__('Not downloaded yet')
  ]);
  if (model.created_at) {
    facts.push([trans.__('Added'), new Date(model.created_at).toLocaleString()]);
  }
  const lineage = model.lineage;
  if (lineage && (lineage.base_model_id || lineage.dataset_hash || lineage.finetune_job_id)) {
    facts.push([
      trans.__('Lineage'),
      <ul className="jp-AquaExt-ModelDetail-lineage">
        {lineage.base_model_id && (
          <li>
            {trans.__('Base model')}: <code>{lineage.base_model_id}</code>
          </li>
        )}
        {lineage.dataset_hash && (
          <li>
            {trans.__('Dataset hash')}: <code>{lineage.dataset_hash}</code>
          </li>
        )}
        {lineage.finetune_job_id && (
          <li>
            {trans.__('Fine-tune job')}: <code>{lineage.finetune_job_id}</code>
          </li>
        )}
      </ul>
    ]);
  }

  const architecture = model.architecture;
  const architectureRows: Array<[string, string | number]> = architecture
    ? (
        [
          ['model_type', architecture.model_type],
          ['num_hidden_layers', architecture.num_hidden_layers],
          ['hidden_size', architecture.hidden_size],
          ['num_attention_heads', architecture.num_attention_heads],
          ['num_key_value_heads', architecture.num_key_value_heads],
          ['head_dim', architecture.head_dim],
          ['kv_lora_rank', architecture.kv_lora_rank],
          ['qk_rope_head_dim', architecture.qk_rope_head_dim],
          ['decoder_layers', architecture.decoder_layers],
          ['torch_dtype', architecture.torch_dtype],
          ['quantization', quantizationText(architecture.quantization)]
        ] as Array<[string, string | number | null | undefined]>
      ).filter((row): row is [string, string | number] => row[1] !== null && row[1] !== undefined)
    : [];

  return (
    <div className="jp-AquaExt-ModelDetail-content">
      <header className="jp-AquaExt-ResourceDetail-header">
        <DetailName name={model.name} />
        <ModelBadges model={model} trans={trans} showFormats />
        {model.description && <p className="jp-AquaExt-ResourceDetail-description">{model.description}</p>}
        {model.tags.length > 0 && (
          <div className="jp-AquaExt-ModelDetail-tags">
            {model.tags.map(tag => (
              <span key={tag} className="jp-AquaExt-tag">
                {tag}
              </span>
            ))}
          </div>
        )}
      </header>
      <div className="jp-AquaExt-ModelDetail-columns">
        <div className="jp-AquaExt-ModelDetail-main">
          {model.notes.length > 0 && (
            <ul className="jp-AquaExt-ModelDetail-notes" aria-label={trans.__('Notes')}>
              {model.notes.map((note, i) => (
                <li key={i}>{note}</li>
              ))}
            </ul>
          )}
          <dl className="jp-AquaExt-ResourceDetail-facts">
            {facts.map(([label, value]) => (
              <Fact key={label} label={label}>
                {value}
              </Fact>
            ))}
          </dl>
          {architectureRows.length > 0 && (
            <details className="jp-AquaExt-ResourceDetail-more">
              <summary>{trans.__('Architecture')}</summary>
              <dl className="jp-AquaExt-ResourceDetail-facts jp-mod-compact">
                {architectureRows.map(([key, value]) => (
                  <React.Fragment key={key}>
                    <dt>
                      <code>{key}</code>
                    </dt>
                    <dd>{String(value)}</dd>
                  </React.Fragment>
                ))}
              </dl>
            </details>
          )}
          {model.deployment_config && (
            <ConfigDetails title={trans.__('Deployment configuration')} config={model.deployment_config} />
          )}
          {model.finetune_config && (
            <ConfigDetails title={trans.__('Fine-tuning configuration')} config={model.finetune_config} />
          )}
          {model.files.length > 0 && (
            <details className="jp-AquaExt-ResourceDetail-more">
              <summary>{trans._n('%1 file', '%1 files', model.files.length)}</summary>
              <ul className="jp-AquaExt-ModelDetail-files">
                {model.files.map(file => (
                  <li key={file}>
                    <code>{file}</code>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
        {/* Beside the facts on wide panels, between the facts and the model card on narrow ones. */}
        <aside className="jp-AquaExt-ModelDetail-side">
          <MemoryFit
            client={props.client}
            trans={trans}
            modelId={model.id}
            defaultDtype={props.fitDefaults.dtype}
            defaultContextLength={contextDefault}
            defaultConcurrency={props.fitDefaults.concurrency}
            debounceMs={props.fitDebounceMs}
          />
        </aside>
        <div className="jp-AquaExt-ModelDetail-cardSection">
          <h3 className="jp-AquaExt-sectionTitle">{trans.__('Model card')}</h3>
          {card ? (
            <div ref={cardRef} className="jp-AquaExt-ModelDetail-card" />
          ) : (
            <p className="jp-AquaExt-muted">{trans.__('This model has no model card.')}</p>
          )}
        </div>
      </div>
    </div>
  );
}

/** The publisher's serving or training defaults, as the JSON they are stored in. */
function ConfigDetails(props: { title: string; config: { [key: string]: unknown } }): JSX.Element {
  return (
    <details className="jp-AquaExt-ResourceDetail-more">
      <summary>{props.title}</summary>
      <pre className="jp-AquaExt-ModelDetail-config">{JSON.stringify(props.config, null, 2)}</pre>
    </details>
  );
}

/** "awq, 4 bits, group 128" / "gguf Q4_K_M": the checkpoint's quantization as config.json states it. */
function quantizationText(q: Architecture['quantization']): string | null {
  if (!q) {
    return null;
  }
  const parts = [
    q.level ? `${q.method} ${q.level}` : q.method,
    q.bits ? `${q.bits} bits` : null,
    q.weight_type,
    q.group_size ? `group ${q.group_size}` : null
  ];
  return parts.filter(Boolean).join(', ');
}
