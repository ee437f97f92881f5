import * as React from 'react';

import { addIcon, Button, HTMLSelect, InputGroup, refreshIcon } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { ModelSummary, TargetProblem } from '../../api/types';
import { EMPTY_FILTERS, filterModels, hasActiveFilters, IModelFilters, SortKey, sortModels } from './filter';
import { ErrorState } from '../../ui/ErrorState';
import { TargetProblems } from '../../ui/Targets';
import { CAPABILITIES, capabilityLabel, FORMATS, formatLabel, SOURCES, sourceLabel } from './labels';
import { Loading } from '../../ui/Loading';
import { ModelGrid } from './ModelGrid';
import { TextButton } from '../../ui/TextButton';

/** Choices of the "Max size" filter, in decimal GB. */
export const MAX_SIZE_CHOICES_GB: readonly number[] = [1, 2, 5, 10, 20, 50, 100];

export interface IModelExplorerProps {
  client: IAquaClient;
  trans: TranslationBundle;
  /** Open a model's detail. */
  onOpenModel: (modelId: string) => void;
  /** Open the register dialog. */
  onRegister: () => void;
  /** Bump to reload the list from the server (without a rescan). */
  reloadRequest?: number;
  /** Bump to make the server rescan its sources (`refresh=true`), as the Refresh button does. */
  refreshRequest?: number;
}

/**
 * Browse every model the backend knows: search, filters, sort and a
 * virtualized grid of cards. Filtering happens on the client, per keystroke.
 */
export function ModelExplorer(props: IModelExplorerProps): JSX.Element {
  const { client, trans, onOpenModel, onRegister } = props;
  const [models, setModels] = React.useState<ModelSummary[] | null>(null);
  const [loading, setLoading] = React.useState(true);
  const [error, setError] = React.useState<unknown>(null);
  const [problems, setProblems] = React.useState<readonly TargetProblem[]>([]);
  const [filters, setFilters] = React.useState<IModelFilters>(EMPTY_FILTERS);
  const [sort, setSort] = React.useState<SortKey>('name');
  const sequence = React.useRef(0);
  const mounted = React.useRef(true);
  const sortId = `${React.useId().replace(/:/g, '')}-sort`;

  React.useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const load = React.useCallback(
    async (refresh: boolean) => {
      const id = ++sequence.current;
      setLoading(true);
      setError(null);
      try {
        const list = await client.listModels(refresh ? { refresh: true } : {});
        if (mounted.current && id === sequence.current) {
          setModels(list.items);
          setProblems(list.problems);
        }
      } catch (reason) {
        if (mounted.current && id === sequence.current) {
          setError(reason);
        }
      } finally {
        if (mounted.current && id === sequence.current) {
          setLoading(false);
        }
      }
    },
    [client]
  );

  React.useEffect(() => {
    void load(false);
  }, [load]);

  const firstReload = React.useRef(props.reloadRequest);
  React.useEffect(() => {
    if (props.reloadRequest !== firstReload.current) {
      void load(false);
    }
  }, [props.reloadRequest, load]);

  const firstRefresh = React.useRef(props.refreshRequest);
  React.useEffect(() => {
    if (props.refreshRequest !== firstRefresh.current) {
      void load(true);
    }
  }, [props.refreshRequest, load]);

  // Typing stays responsive: the grid follows the filters a frame later.
  const deferredFilters = React.useDeferredValue(filters);
  const sorted = React.useMemo(() => (models ? sortModels(models, sort) : []), [models, sort]);
  const visible = React.useMemo(() => filterModels(sorted, deferredFilters), [sorted, deferredFilters]);

  const update = (patch: Partial<IModelFilters>): void => setFilters(previous => ({ ...previous, ...patch }));
  const clearFilters = (): void => setFilters(EMPTY_FILTERS);
  const filtered = hasActiveFilters(filters);
  const total = models?.length ?? 0;

  let body: JSX.Element;
  if (models === null && loading) {
    body = <Loading>{trans.__('Loading models…')}</Loading>;
  } else if (models === null) {
    body = (
      <ErrorState
        error={error}
        trans={trans}
        title={trans.__('The models could not be loaded.')}
        onRetry={() => void load(false)}
      />
    );
  } else if (total === 0) {
    body = (
      <div className="jp-AquaExt-EmptyState">
        <div className="jp-AquaExt-EmptyState-title">{trans.__('No models yet.')}</div>
        <p>{trans.__('Register a local folder or a Hugging Face model to get started.')}</p>
        <TextButton kind="accept" label={trans.__('Register model')} onClick={onRegister} />
      </div>
    );
  } else if (visible.length === 0) {
    const query = deferredFilters.query.trim();
    body = (
      <div className="jp-AquaExt-EmptyState">
        <div className="jp-AquaExt-EmptyState-title">
          {query ? trans.__('No models match “%1”.', query) : trans.__('No models match these filters.')}
        </div>
        <TextButton label={trans.__('Clear filters')} onClick={clearFilters} />
      </div>
    );
  } else {
    body = <ModelGrid models={visible} trans={trans} onOpen={onOpenModel} />;
  }

  return (
    <div className="jp-AquaExt-ModelExplorer">
      <div className="jp-AquaExt-ModelExplorer-toolbar" role="toolbar" aria-label={trans.__('Model filters')}>
        {/* Row 1: search, the count (and Clear), then the actions; Register model, the primary one, far right. */}
        <div className="jp-AquaExt-ModelExplorer-toolbarRow jp-AquaExt-ModelExplorer-searchRow">
          <InputGroup
            className="jp-AquaExt-ModelExplorer-search"
            type="search"
            placeholder={trans.__('Search models')}
            aria-label={trans.__('Search models')}
            value={filters.query}
            onChange={event => update({ query: event.target.value })}
            onKeyDown={event => {
              if (event.key === 'Escape' && filters.query) {
                event.stopPropagation();
                update({ query: '' });
              }
            }}
            rightIcon="ui-components:search"
          />
          <span className="jp-AquaExt-ModelExplorer-counts" aria-live="polite">
            <span className="jp-AquaExt-ModelExplorer-count">
              {models === null ? '' : trans._n('%1 model', '%1 models', visible.length)}
            </span>
            {models !== null && filtered && visible.length !== total && (
              <span className="jp-AquaExt-ModelExplorer-total">{trans.__('of %1', total)}</span>
            )}
          </span>
          {filtered && (
            <Button
              className="jp-AquaExt-button jp-AquaExt-clearButton"
              minimal
              onClick={clearFilters}
              title={trans.__('Clear filters')}
            >
              {trans.__('Clear')}
            </Button>
          )}
          <Button
            className="jp-mod-styled jp-AquaExt-button jp-AquaExt-iconButton jp-AquaExt-refreshButton"
            onClick={() => void load(true)}
            disabled={loading}
            title={trans.__('Refresh')}
            aria-label={trans.__('Refresh')}
            aria-busy={loading}
          >
            <refreshIcon.react
              tag="span"
              className={loading ? 'jp-AquaExt-buttonIcon jp-AquaExt-spin' : 'jp-AquaExt-buttonIcon'}
            />
          </Button>
          <Button
            className="jp-mod-styled jp-mod-accept jp-AquaExt-button jp-AquaExt-registerButton"
            onClick={onRegister}
          >
            <addIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
            {trans.__('Register model')}
          </Button>
        </div>
        {/* Row 2: the filters (they wrap as one group) and, on the right, the labelled sort order. */}
        <div className="jp-AquaExt-ModelExplorer-toolbarRow jp-AquaExt-ModelExplorer-filterRow">
          <div className="jp-AquaExt-ModelExplorer-filters" role="group" aria-label={trans.__('Filters')}>
            <FilterSelect
              label={trans.__('Source')}
              anyLabel={trans.__('All sources')}
              value={filters.sources[0] ?? null}
              choices={SOURCES}
              choiceLabel={source => sourceLabel(source, trans)}
              onChange={source => update({ sources: source ? [source] : [] })}
            />
            <FilterSelect
              label={trans.__('Capability')}
              anyLabel={trans.__('All capabilities')}
              value={filters.capability}
              choices={CAPABILITIES}
              choiceLabel={capability => capabilityLabel(capability, trans)}
              onChange={capability => update({ capability })}
            />
            <FilterSelect
              label={trans.__('Format')}
              anyLabel={trans.__('All formats')}
              value={filters.format}
              choices={FORMATS}
              choiceLabel={formatLabel}
              onChange={format => update({ format })}
            />
            <FilterSelect
              label={trans.__('Max size')}
              anyLabel={trans.__('Any size')}
              value={filters.maxSizeGb}
              choices={MAX_SIZE_CHOICES_GB}
              choiceLabel={gb => trans.__('≤ %1 GB', gb)}
              onChange={maxSizeGb => update({ maxSizeGb })}
            />
            <label className="jp-AquaExt-ModelExplorer-toggle">
              <input
                type="checkbox"
                checked={filters.readyToFinetune}
                onChange={event => update({ readyToFinetune: event.target.checked })}
              />
              {trans.__('Ready to fine-tune')}
            </label>
          </div>
          <div className="jp-AquaExt-ModelExplorer-sort">
            <label htmlFor={sortId} className="jp-AquaExt-ModelExplorer-sortLabel">
              {trans.__('Sort by')}
            </label>
            <HTMLSelect
              id={sortId}
              className="jp-AquaExt-ModelExplorer-filter"
              value={sort}
              onChange={event => setSort(event.target.value as SortKey)}
              options={[
                { value: 'name', label: trans.__('Name') },
                { value: 'size', label: trans.__('Largest first') },
                { value: 'parameters', label: trans.__('Most parameters') },
                { value: 'newest', label: trans.__('Newest') }
              ]}
            />
          </div>
        </div>
      </div>
      {models !== null && error !== null && (
        <ErrorState
          className="jp-AquaExt-ErrorState-banner"
          error={error}
          trans={trans}
          title={trans.__('Refreshing the models failed; showing the last list.')}
          onRetry={() => void load(true)}
        />
      )}
      <TargetProblems problems={problems} trans={trans} />
      <div className="jp-AquaExt-ModelExplorer-body">{body}</div>
    </div>
  );
}

/** One of the explorer's filters: any (null), or one of `choices`. */
function FilterSelect<T extends string | number>(props: {
  label: string;
  /** The choice that filters nothing ("All sources"). */
  anyLabel: string;
  value: T | null;
  choices: readonly T[];
  choiceLabel: (choice: T) => string;
  onChange: (value: T | null) => void;
}): JSX.Element {
  return (
    <HTMLSelect
      className="jp-AquaExt-ModelExplorer-filter"
      aria-label={props.label}
      value={props.value === null ? '' : String(props.value)}
      onChange={event => props.onChange(props.choices.find(choice => String(choice) === event.target.value) ?? null)}
      options={[
        { value: '', label: props.anyLabel },
        ...props.choices.map(choice => ({ value: String(choice), label: props.choiceLabel(choice) }))
      ]}
    />
  );
}
