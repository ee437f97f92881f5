import { defaultFormat, rowRequest, turnDraft } from '../datasetRow';
import type { Turn } from '../transcript';

function answer(id: string, content: string, status: 'done' | 'error' = 'done'): Turn {
  return {
    id,
    role: 'assistant',
    content,
    status,
    error: status === 'error' ? 'boom' : null,
    errorStatus: null,
    deploymentState: null,
    stats: null,
    startedAt: 0,
    firstTokenAt: null,
    chunks: 1
  };
}

const TURNS: Turn[] = [
  { id: 'u1', role: 'user', content: '안녕하세요' },
  answer('a1', '안녕하세요! 무엇을 도와드릴까요?'),
  { id: 'u2', role: 'user', content: '実は失敗した質問' },
  answer('a2', '', 'error'),
  { id: 'u3', role: 'user', content: '서울의 인구는?' },
  answer('a3', '약 940만 명입니다.')
];

describe('from chat to dataset', () => {
  it('takes the prompt an answer ends and what the model saw before it', () => {
    const draft = turnDraft(TURNS, 'a3', '한국어로 답하세요.');
    expect(draft).toEqual({
      history: [
        { role: 'system', content: '한국어로 답하세요.' },
        { role: 'user', content: '안녕하세요' },
        { role: 'assistant', content: '안녕하세요! 무엇을 도와드릴까요?' },
        // The failed answer never reached the model: its question stays, as the next request sent it.
        { role: 'user', content: '実は失敗した質問' }
      ],
      prompt: '서울의 인구는?',
      answer: '약 940만 명입니다.'
    });
    expect(defaultFormat(draft!)).toBe('conversational');
    const first = turnDraft(TURNS, 'a1', '');
    expect(first?.history).toEqual([]);
    expect(defaultFormat(first!)).toBe('instruction');
    expect(turnDraft(TURNS, 'u1', '')).toBeNull();
    expect(turnDraft(TURNS, 'missing', '')).toBeNull();
  });

  it('builds the row the server saves, edited, in either format', () => {
    const draft = turnDraft(TURNS, 'a1', 'system')!;
    const edited = { path: ' data/ko.jsonl ', prompt: '안녕하세요', answer: '안녕하세요.', category: '' };
    expect(rowRequest(draft, { ...edited, format: 'instruction' }, { duplicate: false, leakage: true })).toEqual({
      path: 'data/ko.jsonl',
      format: 'instruction',
      prompt: '안녕하세요',
      completion: '안녕하세요.',
      category: null,
      allow_duplicate: false,
      allow_leakage: true
    });
    const chat = rowRequest(
      draft,
      { ...edited, format: 'conversational', category: ' 인사 ' },
      { duplicate: true, leakage: false }
    );
    expect(chat.messages).toEqual([
      { role: 'system', content: 'system' },
      { role: 'user', content: '안녕하세요' },
      { role: 'assistant', content: '안녕하세요.' }
    ]);
    expect(chat.category).toBe('인사');
    expect(chat).not.toHaveProperty('prompt');
  });
});
