import { applyLogAnswer, EMPTY_LOG_VIEW, nextLogQuery } from '../logFollow';

describe('log follow', () => {
  it('asks for the tail first, then only what came after the cursor while following', () => {
    expect(nextLogQuery(EMPTY_LOG_VIEW, true)).toEqual({ tail: 200 });
    const view = applyLogAnswer(
      EMPTY_LOG_VIEW,
      { lines: ['a', 'b'], cursor: 'c2', source: 'engine.log' },
      { tail: 200 }
    );
    expect(view).toEqual({ lines: ['a', 'b'], cursor: 'c2', source: 'engine.log', dropped: 0 });
    expect(nextLogQuery(view, true)).toEqual({ after: 'c2' });
    expect(nextLogQuery(view, false)).toEqual({ tail: 200 });
  });

  it('appends follow answers, replaces tail answers, and keeps an empty answer’s cursor', () => {
    let view = applyLogAnswer(EMPTY_LOG_VIEW, { lines: ['a'], cursor: 'c1', source: 's' }, { tail: 200 });
    view = applyLogAnswer(view, { lines: ['b', 'c'], cursor: 'c3', source: 's' }, { after: 'c1' });
    expect(view.lines).toEqual(['a', 'b', 'c']);
    view = applyLogAnswer(view, { lines: [], cursor: 'c4', source: 's' }, { after: 'c3' });
    expect(view).toMatchObject({ lines: ['a', 'b', 'c'], cursor: 'c4' });
    view = applyLogAnswer(view, { lines: ['z'], cursor: 'c9', source: 's' }, { tail: 200 });
    expect(view).toMatchObject({ lines: ['z'], cursor: 'c9', dropped: 0 });
  });

  it('drops the oldest lines beyond the cap and counts them', () => {
    let view = applyLogAnswer(EMPTY_LOG_VIEW, { lines: ['1', '2', '3'], cursor: 'a', source: 's' }, { tail: 3 }, 4);
    view = applyLogAnswer(view, { lines: ['4', '5', '6'], cursor: 'b', source: 's' }, { after: 'a' }, 4);
    expect(view.lines).toEqual(['3', '4', '5', '6']);
    expect(view.dropped).toBe(2);
    view = applyLogAnswer(view, { lines: ['7'], cursor: 'c', source: 's' }, { after: 'b' }, 4);
    expect(view.dropped).toBe(3);
  });
});
