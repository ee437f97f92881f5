import { conversationJsonl, conversationMarkdown, exportFileName } from '../conversationExport';
import type { ChatStreamEvent, ToolCallDelta } from '../../../api/types';
import { answerEvents } from '../../../test-support/fixtures';
import {
  answerToolCalls,
  applyChatEvent,
  assistantTurn,
  chatMessages,
  lastUserTurn,
  turnsBefore,
  userTurn,
  type IAssistantTurn,
  type Turn
} from '../transcript';

function answer(content: string, status: IAssistantTurn['status'] = 'done'): IAssistantTurn {
  return { ...assistantTurn(0), content, status };
}

const question1 = userTurn('서울의 인구는?');
const question2 = userTurn('東京はどうですか？');
const turns: Turn[] = [
  question1,
  answer('약 940만 명입니다.'),
  question2,
  answer('', 'error'),
  question2,
  answer('約1400万人です。')
];

describe('conversation export', () => {
  it('writes one conversational JSONL row with the system prompt and without failed answers', () => {
    const text = conversationJsonl('간결하게 답하세요.', turns);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(1);
    const expected = [
      ['system', '간결하게 답하세요.'],
      ['user', '서울의 인구는?'],
      ['assistant', '약 940만 명입니다.'],
      ['user', '東京はどうですか？'],
      ['user', '東京はどうですか？'],
      ['assistant', '約1400万人です。']
    ].map(([role, content]) => ({ role, content }));
    expect(JSON.parse(text)).toEqual({ messages: expected });
  });

  it('writes Markdown with a heading per message, no system heading when there is none', () => {
    const text = conversationMarkdown('Qwen 채팅', '', turns.slice(0, 2));
    expect(text).toBe('# Qwen 채팅\n\n## User\n\n서울의 인구는?\n\n## Assistant\n\n약 940만 명입니다.\n');
  });

  it('names the file after the deployment, safely, in any script', () => {
    const date = new Date(2026, 11, 7, 1, 5);
    expect(exportFileName('Qwen 채팅', 'jsonl', date)).toBe('Qwen-채팅-20261207-0105.jsonl');
    expect(exportFileName('../../etc/passwd', 'markdown', date)).toBe('etc-passwd-20261207-0105.md');
    expect(exportFileName('a:b*c?"<>|\u0007', 'jsonl', date)).toBe('a-b-c-20261207-0105.jsonl');
    expect(exportFileName('...', 'markdown', date)).toBe('conversation-20261207-0105.md');
    expect(exportFileName('日本語'.repeat(40), 'jsonl', date)).toBe(`${'日本語'.repeat(26)}日本-20261207-0105.jsonl`);
  });
});

describe('edit and regenerate helpers', () => {
  it('gives the turns before a question and the last question', () => {
    expect(turnsBefore(turns, question1.id)).toEqual([]);
    expect(turnsBefore(turns, question2.id)).toEqual(turns.slice(0, 2));
    expect(turnsBefore(turns, turns[1].id)).toBeNull();
    expect(turnsBefore(turns, 'nope')).toBeNull();
    expect(lastUserTurn(turns)).toBe(question2);
    expect(lastUserTurn([])).toBeNull();
  });
});

describe('tool calls in the transcript', () => {
  it('folds streamed pieces into calls and sends them back with their results', () => {
    let turn = { ...assistantTurn(0) };
    turn = applyChatEvent(turn, toolDelta([{ index: 0, id: 'c1', name: 'get_weather' }]), 10);
    turn = applyChatEvent(turn, toolDelta([{ index: 0, arguments: '{"city": ' }]), 20);
    turn = applyChatEvent(
      turn,
      toolDelta([
        { index: 0, arguments: '"서울"}' },
        { index: 1, id: 'c2', name: 'now' }
      ]),
      30
    );
    turn = applyChatEvent(turn, answerEvents([])[0], 40);
    expect(turn.status).toBe('done');
    expect(turn.toolCalls).toEqual([
      { id: 'c1', name: 'get_weather', arguments: '{"city": "서울"}', result: null },
      { id: 'c2', name: 'now', arguments: '', result: null }
    ]);
    expect(turn.firstTokenAt).toBe(10);
    const answered = answerToolCalls(turn, ['맑음', '12:00']);
    expect(chatMessages('', [userTurn('天気は?'), answered]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "서울"}' } },
          { id: 'c2', type: 'function', function: { name: 'now', arguments: '' } }
        ]
      },
      { role: 'tool', tool_call_id: 'c1', content: '맑음' },
      { role: 'tool', tool_call_id: 'c2', content: '12:00' }
    ]);
    // Not answered (a question asked instead): the calls are not sent, the engine would refuse them.
    expect(chatMessages('', [turn, userTurn('別の質問')])).toEqual([{ role: 'user', content: '別の質問' }]);
  });
});

function toolDelta(pieces: ToolCallDelta[]): ChatStreamEvent {
  return { type: 'delta', data: { content: '', role: null, finish_reason: null, tool_calls: pieces } };
}
