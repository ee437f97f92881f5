/**
 * Client-side model filtering and sorting: pure functions, no DOM.
 *
 * The explorer filters on every keystroke, so the search text of each model
 * is built once per model list (memoized by the array's identity) and a call
 * over 2,000 models is a few string scans.
 */
import type { Capability, ModelFormat, ModelSource, ModelSummary } from '../../api/types';
import { allows } from '../../shared/actions';

export interface IModelFilters {
  /** Free text; every whitespace-separated word must match (AND), case-insensitively. */
  query: string;
  /** Keep these sources; empty keeps all. */
  sources: ModelSource[];
  /** Keep one capability; null keeps all. */
  capability: Capability | null;
  /** Keep models offered in this format; null keeps all. */
  format: ModelFormat | null;
  /** Keep models of at most this size (decimal GB); models of unknown size are dropped. */
  maxSizeGb: number | null;
  /** Keep only models that can be fine-tuned. */
  readyToFinetune: boolean;
}

export const EMPTY_FILTERS: Readonly<IModelFilters> = Object.freeze({
  query: '',
  sources: [],
  capability: null,
  format: null,
  maxSizeGb: null,
  readyToFinetune: false
});

/** Whether any filter narrows the list. */
export function hasActiveFilters(filters: IModelFilters): boolean {
  return (
    filters.query.trim() !== '' ||
    filters.sources.length > 0 ||
    filters.capability !== null ||
    filters.format !== null ||
    filters.maxSizeGb !== null ||
    filters.readyToFinetune
  );
}

/** The lowercase text one model is searched in (as the server's `search_text`). */
export function searchText(model: ModelSummary): string {
  const parts: Array<string | null | undefined> = [
    model.name,
    model.hf_id,
    model.organization,
    model.task,
    model.description,
    ...(model.tags ?? [])
  ];
  return parts
    .filter((part): part is string => !!part)
    .join(' ')
    .toLowerCase();
}

const searchIndex = new WeakMap<readonly ModelSummary[], string[]>();

/** The search strings of a model list, computed once per array. */
function searchStrings(models: readonly ModelSummary[]): string[] {
  let strings = searchIndex.get(models);
  if (!strings) {
    strings = models.map(searchText);
    searchIndex.set(models, strings);
  }
  return strings;
}

/** Split a search box value into lowercase words. */
export function searchWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The models that pass every filter, in their original order. Returns the
 * input array itself when no filter is active.
 */
export function filterModels(
  models: readonly ModelSummary[],
  filters: Partial<IModelFilters>
): readonly ModelSummary[] {
  const f: IModelFilters = { ...EMPTY_FILTERS, ...filters };
  if (!hasActiveFilters(f)) {
    return models;
  }
  const words = searchWords(f.query);
  const strings = words.length > 0 ? searchStrings(models) : null;
  const sources = f.sources.length > 0 ? new Set<string>(f.sources) : null;
  const maxBytes = f.maxSizeGb !== null ? f.maxSizeGb * 1e9 : null;

  const result: ModelSummary[] = [];
  for (let i = 0; i < models.length; i++) {
    const model = models[i];
    if (sources && !sources.has(model.source)) {
      continue;
    }
    if (f.capability !== null && model.capability !== f.capability) {
      continue;
    }
    if (f.format !== null && !model.formats.includes(f.format)) {
      continue;
    }
    if (
      maxBytes !== null &&
      (model.size_bytes === null || model.size_bytes === undefined || model.size_bytes > maxBytes)
    ) {
      continue;
    }
    if (f.readyToFinetune && !allows(model, 'finetune')) {
      continue;
    }
    if (strings) {
      const text = strings[i];
      let all = true;
      for (const word of words) {
        if (!text.includes(word)) {
          all = false;
          break;
        }
      }
      if (!all) {
        continue;
      }
    }
    result.push(model);
  }
  return result;
}

export type SortKey = 'name' | 'size' | 'parameters' | 'newest';

export const SORT_KEYS: readonly SortKey[] = ['name', 'size', 'parameters', 'newest'];

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * A sorted copy: by name (A→Z), size (largest first), parameters (largest
 * first) or newest (latest `created_at` first). Unknown values go last; ties
 * fall back to the name.
 */
export function sortModels(models: readonly ModelSummary[], key: SortKey): ModelSummary[] {
  const byName = (a: ModelSummary, b: ModelSummary): number => collator.compare(a.name, b.name);
  const descending = (pick: (m: ModelSummary) => number | null) => (a: ModelSummary, b: ModelSummary) => {
    const va = pick(a);
    const vb = pick(b);
    if (va === null && vb === null) {
      return byName(a, b);
    }
    if (va === null) {
      return 1;
    }
    if (vb === null) {
      return -1;
    }
    return vb - va || byName(a, b);
  };
  const copy = models.slice();
  switch (key) {
    case 'size':
      return copy.sort(descending(m => m.size_bytes ?? null));
    case 'parameters':
      return copy.sort(descending(m => m.parameter_count ?? null));
    case 'newest':
      return copy.sort(descending(m => (m.created_at ? Date.parse(m.created_at) || null : null)));
    case 'name':
    default:
      return copy.sort(byName);
  }
}
