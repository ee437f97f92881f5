import * as React from 'react';
import { FixedSizeGrid, GridChildComponentProps } from 'react-window';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ModelSummary } from '../../api/types';
import { ModelCard } from './ModelCard';
import { useElementSize } from '../../ui/hooks/useElementSize';

/** Narrowest a card gets before the grid drops a column. */
export const CARD_MIN_WIDTH = 300;
/** Height of a grid row, gap included. */
export const ROW_HEIGHT = 182;

/** How many card columns fit in a width (the width the cards get, scrollbar excluded). */
export function columnCountFor(width: number): number {
  return Math.max(1, Math.floor(width / CARD_MIN_WIDTH));
}

export interface IGridLayout {
  columnCount: number;
  columnWidth: number;
  rowCount: number;
}

/**
 * Columns for `itemCount` cards in a `width` × `height` viewport. Room for the
 * vertical scrollbar (`scrollbarWidth`, as measured: 0 for overlay scrollbars)
 * is only taken when the rows overflow, so the margins stay balanced.
 */
export function gridLayout(width: number, height: number, itemCount: number, scrollbarWidth: number): IGridLayout {
  let columnCount = columnCountFor(width);
  let inner = width;
  if (scrollbarWidth > 0 && Math.ceil(itemCount / columnCount) * ROW_HEIGHT > height) {
    inner = Math.max(1, width - scrollbarWidth);
    columnCount = columnCountFor(inner);
  }
  return {
    columnCount,
    columnWidth: Math.max(1, Math.floor(inner / columnCount)),
    rowCount: Math.ceil(itemCount / columnCount)
  };
}

/**
 * The width of a vertical scrollbar in `host` (as styled there), measured with
 * a throwaway scrolling box; 0 where scrollbars overlay the content.
 */
function useScrollbarWidth(host: React.RefObject<HTMLElement>): number {
  const [scrollbarWidth, setScrollbarWidth] = React.useState(0);
  React.useLayoutEffect(() => {
    const parent = host.current;
    if (!parent) {
      return;
    }
    const probe = document.createElement('div');
    probe.className = 'jp-AquaExt-ModelGrid-probe';
    probe.style.cssText = 'position:absolute;visibility:hidden;width:100px;height:100px;overflow-y:scroll;';
    parent.appendChild(probe);
    setScrollbarWidth(Math.max(0, probe.offsetWidth - probe.clientWidth));
    probe.remove();
  }, [host]);
  return scrollbarWidth;
}

interface ICellData {
  models: readonly ModelSummary[];
  columnCount: number;
  trans: TranslationBundle;
  onOpen: (modelId: string) => void;
}

function Cell(props: GridChildComponentProps<ICellData>): JSX.Element | null {
  const { models, columnCount, trans, onOpen } = props.data;
  const index = props.rowIndex * columnCount + props.columnIndex;
  const model = models[index];
  if (!model) {
    return null;
  }
  return (
    <div className="jp-AquaExt-ModelGrid-cell" style={props.style} data-index={index}>
      <ModelCard model={model} trans={trans} onOpen={onOpen} />
    </div>
  );
}

export interface IModelGridProps {
  models: readonly ModelSummary[];
  trans: TranslationBundle;
  onOpen: (modelId: string) => void;
}

/**
 * The explorer's virtualized card grid: only the visible rows are in the DOM,
 * so thousands of models scroll smoothly. Arrow keys move between cards.
 */
export function ModelGrid(props: IModelGridProps): JSX.Element {
  const { models, trans, onOpen } = props;
  const containerRef = React.useRef<HTMLDivElement>(null);
  const gridRef = React.useRef<FixedSizeGrid<ICellData>>(null);
  const { width, height } = useElementSize(containerRef);
  const scrollbarWidth = useScrollbarWidth(containerRef);
  const { columnCount, columnWidth, rowCount } = gridLayout(width, height, models.length, scrollbarWidth);

  const itemData = React.useMemo<ICellData>(
    () => ({ models, columnCount, trans, onOpen }),
    [models, columnCount, trans, onOpen]
  );

  // A new result list starts at the top.
  React.useEffect(() => {
    gridRef.current?.scrollTo({ scrollTop: 0, scrollLeft: 0 });
  }, [models]);

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columnCount,
      ArrowUp: -columnCount
    };
    let delta = moves[event.key];
    const cell = (event.target as HTMLElement).closest?.('[data-index]') as HTMLElement | null;
    if (!cell) {
      return;
    }
    const current = Number(cell.dataset.index);
    if (event.key === 'Home') {
      delta = -current;
    } else if (event.key === 'End') {
      delta = models.length - 1 - current;
    }
    if (delta === undefined) {
      return;
    }
    const next = Math.min(models.length - 1, Math.max(0, current + delta));
    if (next === current) {
      return;
    }
    event.preventDefault();
    gridRef.current?.scrollToItem({
      rowIndex: Math.floor(next / columnCount),
      columnIndex: next % columnCount
    });
    const focusNext = (): void => {
      const target = containerRef.current?.querySelector<HTMLElement>(`[data-index="${next}"] .jp-AquaExt-ModelCard`);
      target?.focus();
    };
    // The target row may only render after the scroll.
    requestAnimationFrame(focusNext);
  };

  return (
    <div
      ref={containerRef}
      className="jp-AquaExt-ModelGrid"
      role="region"
      aria-label={trans.__('Models')}
      onKeyDown={onKeyDown}
    >
      {width > 0 && height > 0 && (
        <FixedSizeGrid<ICellData>
          ref={gridRef}
          className="jp-AquaExt-ModelGrid-scroller"
          columnCount={columnCount}
          columnWidth={columnWidth}
          rowCount={rowCount}
          rowHeight={ROW_HEIGHT}
          width={width}
          height={height}
          itemData={itemData}
          overscanRowCount={2}
          style={{ overflowX: 'hidden' }}
        >
          {Cell}
        </FixedSizeGrid>
      )}
    </div>
  );
}
