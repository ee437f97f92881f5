import { CARD_MIN_WIDTH, columnCountFor, gridLayout, ROW_HEIGHT } from '../ModelGrid';

describe('gridLayout', () => {
  it('fits as many minimum-width columns as the width allows', () => {
    expect(columnCountFor(CARD_MIN_WIDTH * 3)).toBe(3);
    expect(columnCountFor(CARD_MIN_WIDTH * 3 - 1)).toBe(2);
    expect(columnCountFor(10)).toBe(1);
  });

  it('keeps no room for a scrollbar when the rows do not overflow', () => {
    const layout = gridLayout(930, ROW_HEIGHT * 5, 6, 15);
    expect(layout).toEqual({ columnCount: 3, columnWidth: 310, rowCount: 2 });
  });

  it('keeps the measured scrollbar width when the rows overflow', () => {
    const layout = gridLayout(930, ROW_HEIGHT * 2, 42, 15);
    expect(layout.columnCount).toBe(3);
    expect(layout.columnWidth).toBe(Math.floor((930 - 15) / 3));
    expect(layout.rowCount).toBe(14);
    // Overlay scrollbars (width 0) take no room at all.
    expect(gridLayout(930, ROW_HEIGHT * 2, 42, 0).columnWidth).toBe(310);
  });

  it('drops a column when the scrollbar leaves too little room', () => {
    expect(gridLayout(905, ROW_HEIGHT, 42, 15).columnCount).toBe(2);
    expect(gridLayout(905, ROW_HEIGHT * 100, 42, 15).columnCount).toBe(3);
  });
});
